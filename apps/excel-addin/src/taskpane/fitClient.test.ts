import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PaneToWorker, WorkerToPane } from "../worker/protocol.js";
import { HlmError, tableFromRows } from "@hlm/core";
import { packTable } from "../worker/packedTable.js";
import { FitClient, type CompareHandlers, type FitHandlers, type WorkerLike } from "./fitClient.js";

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

const input = { table: packTable(tableFromRows(["y", "g"], [[1, "a"]])).table, formula: "y ~ 1 + (1 | g)", REML: true, factors: [] };
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
    vi.advanceTimersByTime(0); // the result is handled in a task of its own
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

  it("cancel: a fit that finishes before the worker reads the cancel is dropped, never reported done", () => {
    const client = new FitClient(() => new FakeWorker(true), { sharedFlag: false });
    const h = handlers();
    const id = client.start(input, h);
    client.cancel();
    FakeWorker.all[0]!.reply({ type: "done", id, fit: { evaluations: 41 } as never, tables: [{ sheetName: "HLM Summary", sections: [] }], elapsedMs: 1 });
    expect(h.log).toEqual(["cancelled 41 worker"]);
    vi.advanceTimersByTime(5000); // the backstop was cleared: nothing more
    expect(h.log).toEqual(["cancelled 41 worker"]);
    expect(FakeWorker.all[0]!.terminated).toBe(false);
    expect(client.busy).toBe(false);
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

describe("FitClient.makeTable", () => {
  const cells = [["y", "g"], ...Array.from({ length: 10 }, (_, i) => [i, `g${i % 3}`])];
  const packed = packTable(tableFromRows(["y", "g"], cells.slice(1))).table;
  const layout = { headerRow: 4, columns: [1, 2] };
  const options = { sharedFlag: false, chunkCells: 4, yieldToPage: () => Promise.resolve() };
  /** Lets the chunks go out (each waits for `yieldToPage`). */
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };

  it("sends the cells in chunks, then makeTable; resolves with the worker's table", async () => {
    const client = new FitClient(() => new FakeWorker(false), options);
    const made = client.makeTable(cells, "selection", { firstRow: 4, firstColumn: 1 });
    await flush();
    const w = FakeWorker.all[0]!;
    const rows = w.received.filter((m) => m.type === "rows");
    expect(rows.map((m) => (m.type === "rows" ? m.rows.length : 0))).toEqual([2, 2, 2, 2, 2, 1]); // 4 cells: 2 rows of 2
    expect(rows.flatMap((m) => (m.type === "rows" ? m.rows : []))).toEqual(cells);
    const last = w.received.at(-1)!;
    expect(last).toMatchObject({ type: "makeTable", what: "selection", firstRow: 4, firstColumn: 1 });
    w.reply({ type: "tableReady", id: last.id, table: packed, layout });
    await expect(made).resolves.toEqual({ table: packed, layout });
  });

  it("rejects with the worker's one sentence when the cells are no table", async () => {
    const client = new FitClient(() => new FakeWorker(false), options);
    const made = client.makeTable([["y"]], "used range");
    await flush();
    const w = FakeWorker.all[0]!;
    w.reply({ type: "tableFailed", id: w.received.at(-1)!.id, code: "DATA", message: "The used range has only its header row (y)." });
    await expect(made).rejects.toMatchObject({ code: "DATA", message: "The used range has only its header row (y)." });
    await expect(made).rejects.toBeInstanceOf(HlmError);
  });

  it("a newer range replaces one still being sent: the first is cancelled and stops sending", async () => {
    const client = new FitClient(() => new FakeWorker(false), options);
    const first = client.makeTable(cells, "selection");
    const second = client.makeTable(cells.slice(0, 3), "selection");
    await expect(first).rejects.toMatchObject({ code: "CANCELLED" });
    await flush();
    const w = FakeWorker.all[0]!;
    const firstId = w.received[0]!.id;
    expect(w.received.filter((m) => m.id === firstId)).toHaveLength(1); // only its first chunk went out
    const last = w.received.at(-1)!;
    expect(last).toMatchObject({ type: "makeTable" });
    w.reply({ type: "tableReady", id: firstId, table: packed, layout }); // stale: ignored
    w.reply({ type: "tableReady", id: last.id, table: packed, layout });
    expect((await second).table).toBe(packed);
  });

  it("a worker that dies rejects the table with one sentence", async () => {
    const client = new FitClient(() => new FakeWorker(false), options);
    const made = client.makeTable(cells, "selection");
    FakeWorker.all[0]!.onerror?.({ message: "out of memory", preventDefault: () => undefined } as ErrorEvent);
    await expect(made).rejects.toMatchObject({ code: "INTERNAL", message: "The fitting engine stopped unexpectedly (out of memory); try again." });
    expect(FakeWorker.all[0]!.terminated).toBe(true);
  });

  it("compare: posts the formulas, routes the comparison's progress and result, and cancels as a fit", () => {
    const client = new FitClient(() => new FakeWorker(true), { sharedFlag: false });
    const log: string[] = [];
    const h: CompareHandlers = {
      onProgress: (m) => log.push(`model ${m.model} of ${m.models}: ${m.evaluations}`),
      onDone: (m) => log.push(`done ${m.rows.length}`),
      onCancelled: (n, how) => log.push(`cancelled ${n} ${how}`),
      onError: (m) => log.push(`error ${m.message}`),
    };
    const { formula: _f, ...rest } = input;
    const id = client.compare({ ...rest, formulas: ["y ~ 1 + (1 | g)", "y ~ x + (1 | g)"] }, h);
    const w = FakeWorker.all[0]!;
    expect(w.received[0]).toMatchObject({ type: "compare", id, formulas: ["y ~ 1 + (1 | g)", "y ~ x + (1 | g)"], REML: true });
    w.reply({ type: "compareProgress", id, model: 1, models: 2, evaluations: 12 });
    w.reply({ type: "progress", id, stage: "optimizing", evaluations: 5, objective: 1, bestObjective: 1 }); // not a comparison's: ignored
    w.reply({ type: "compareDone", id, rows: [{} as never, {} as never], note: null, nobs: 1, tables: [], elapsedMs: 1 });
    expect(log).toEqual(["model 1 of 2: 12", "done 2"]);
    expect(client.busy).toBe(false);

    const id2 = client.compare({ ...rest, formulas: ["a", "b"] }, h);
    w.reply({ type: "compareProgress", id: id2, model: 0, models: 2, evaluations: 40 });
    client.cancel();
    w.reply({ type: "compareDone", id: id2, rows: [], note: null, nobs: 1, tables: [], elapsedMs: 1 }); // finished while the cancel was on its way: dropped
    expect(log.slice(2)).toEqual(["model 0 of 2: 40", "cancelled 40 worker"]);
  });
});
