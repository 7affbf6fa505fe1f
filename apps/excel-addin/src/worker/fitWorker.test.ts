import { describe, expect, it, vi } from "vitest";
import { datasetRange } from "../../test/conformanceRange.js";
import type { PaneToWorker, WorkerToPane } from "./protocol.js";

describe("the fitting worker's replies", () => {
  it("are copied, never transferred: no buffer of the worker is detached (that slows every typed array in it)", async () => {
    const posted: unknown[][] = [];
    let listener: ((event: { data: PaneToWorker }) => void) | null = null;
    vi.stubGlobal("self", {
      postMessage: (...args: unknown[]) => posted.push(args),
      addEventListener: (_type: string, l: (event: { data: PaneToWorker }) => void) => (listener = l),
    });
    vi.useFakeTimers(); // the warm-up fits wait for timers that never fire here
    await import("./fitWorker.js");
    const send = (data: PaneToWorker): void => listener!({ data });
    const cells = datasetRange("sleepstudy");
    send({ type: "rows", id: 1, rows: cells });
    send({ type: "makeTable", id: 1, what: "selection" });
    const ready = posted[0]![0] as WorkerToPane;
    expect(ready.type).toBe("tableReady");
    if (ready.type !== "tableReady") return;
    send({ type: "fit", id: 2, table: ready.table, formula: "Reaction ~ Days + (Days | Subject)", REML: true, factors: [], dataName: "Sheet1!A1:C181" });
    const done = posted.map((args) => args[0] as WorkerToPane).find((m) => m.type === "done");
    expect(done).toBeDefined();
    // every reply went without a transfer list
    for (const args of posted) expect(args).toHaveLength(1);
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });
});
