import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PaneToWorker, WorkerToPane } from "../worker/protocol.js";
import { tableFromRows } from "@hlm/core";
import { FitClient, type FitHandlers, type WorkerLike } from "./fitClient.js";

/** A worker that records messages; the test replies for it. `busy`: it never answers a cancel. */
class FakeWorker implements WorkerLike {
  static all: FakeWorker[] = [];
  received: PaneToWorker[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<WorkerToPane>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  constructor(readonly busy: boolean) {
    FakeWorker.all.push(this);
  }
  postMessage(m: PaneToWorker): void {
    this.received.push(m);
    if (m.type === "cancel" && !this.busy) setTimeout(() => this.reply({ type: "cancelled", id: m.id, evaluations: 3 }), 10);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(m: WorkerToPane): void {
    this.onmessage?.({ data: m } as MessageEvent<WorkerToPane>);
  }
}

const input = { table: tableFromRows(["y", "g"], [[1, "a"]]), formula: "y ~ 1 + (1 | g)", REML: true, factors: [] };
function handlers(): FitHandlers & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    onProgress: (m) => log.push(`progress ${m.evaluations}`),
    onDone: (m) => log.push(`done ${m.id}`),
    onCancelled: (n, how) => log.push(`cancelled ${n} ${how}`),
    onError: (m) => log.push(`error ${m.message}`),
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWorker.all = [];
});
afterEach(() => vi.useRealTimers());

describe("FitClient", () => {
  it("starts the worker once, routes replies by fit id and ignores stale ones", () => {
    const client = new FitClient(() => new FakeWorker(false), { sharedFlag: false });
    const h = handlers();
    const id = client.start(input, h);
    const w = FakeWorker.all[0]!;
    expect(w.received[0]).toMatchObject({ type: "fit", id, formula: "y ~ 1 + (1 | g)" });
    w.reply({ type: "progress", id, stage: "optimizing", evaluations: 5, objective: 1, bestObjective: 1 });
    w.reply({ type: "progress", id: id + 100, stage: "optimizing", evaluations: 9, objective: 1, bestObjective: 1 });
    w.reply({ type: "done", id, fit: {} as never, tables: [], elapsedMs: 1 });
    expect(h.log).toEqual(["progress 5", `done ${id}`]);
    expect(client.busy).toBe(false);
    client.start(input, handlers());
    expect(FakeWorker.all).toHaveLength(1);
  });

  it("cancel: a worker that answers stops cooperatively, without the backstop", () => {
    const client = new FitClient(() => new FakeWorker(false), { sharedFlag: false });
    const h = handlers();
    const id = client.start(input, h);
    client.cancel();
    expect(FakeWorker.all[0]!.received[1]).toEqual({ type: "cancel", id });
    vi.advanceTimersByTime(5000);
    expect(h.log).toEqual(["cancelled 3 worker"]);
    expect(FakeWorker.all[0]!.terminated).toBe(false);
  });

  it("cancel: a worker that does not answer within 2 s is terminated and replaced", () => {
    const client = new FitClient(() => new FakeWorker(true), { sharedFlag: false });
    const h = handlers();
    const id = client.start(input, h);
    FakeWorker.all[0]!.reply({ type: "progress", id, stage: "optimizing", evaluations: 77, objective: 1, bestObjective: 1 });
    client.cancel();
    vi.advanceTimersByTime(1999);
    expect(h.log).toEqual(["progress 77"]);
    vi.advanceTimersByTime(1);
    expect(h.log).toEqual(["progress 77", "cancelled 77 terminated"]);
    expect(FakeWorker.all[0]!.terminated).toBe(true);
    FakeWorker.all[0]!.reply({ type: "done", id, fit: {} as never, tables: [], elapsedMs: 1 }); // too late: ignored
    expect(h.log).toHaveLength(2);
    client.start(input, handlers());
    expect(FakeWorker.all).toHaveLength(2);
  });

  it("sets the shared flag when memory can be shared", () => {
    const client = new FitClient(() => new FakeWorker(true), { sharedFlag: true });
    client.start(input, handlers());
    const req = FakeWorker.all[0]!.received[0]!;
    if (req.type !== "fit" || !req.cancelFlag) throw new Error("no flag");
    expect(Atomics.load(req.cancelFlag, 0)).toBe(0);
    client.cancel();
    expect(Atomics.load(req.cancelFlag, 0)).toBe(1);
  });

  it("a worker that dies reports one sentence", () => {
    const client = new FitClient(() => new FakeWorker(false), { sharedFlag: false });
    const h = handlers();
    client.start(input, h);
    FakeWorker.all[0]!.onerror?.({ message: "SyntaxError: bad", preventDefault: () => undefined } as ErrorEvent);
    expect(h.log).toEqual(["error The fitting engine stopped unexpectedly (SyntaxError: bad); try again."]);
    expect(client.busy).toBe(false);
  });
});
