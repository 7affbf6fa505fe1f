import { describe, expect, it } from "vitest";
import type { WorkerToPane } from "./protocol.js";
import { runFit } from "./runFit.js";
import { warmUpRequests } from "./warmUp.js";

describe("the worker's warm-up fits", () => {
  it("each ends in a fit, as a person's does: a linear model by REML and ML, and a binomial GLMM", () => {
    const requests = warmUpRequests();
    expect(requests.map((r) => r.family ?? "gaussian")).toEqual(["gaussian", "gaussian", "gaussian", "gaussian", "binomial"]);
    for (const req of requests) {
      const replies: WorkerToPane[] = [];
      runFit(req, (m) => replies.push(m), () => false);
      const last = replies[replies.length - 1]!;
      expect(last.type, JSON.stringify(last)).toBe("done");
      if (last.type === "done") expect(last.fit.evaluations).toBeGreaterThan(5);
    }
  });
});
