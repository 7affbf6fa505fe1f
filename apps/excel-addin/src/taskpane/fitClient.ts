/**
 * The pane's side of the fitting worker: makes the table of a range's cells, starts fits, routes the
 * worker's replies by id, and cancels. Cancel sets the shared flag (when the page is cross-origin
 * isolated, the worker reads it at every evaluation) and sends a `cancel` message; if the worker has
 * not answered within the backstop time (2 s), it is terminated and a fresh one started, and the fit
 * counts as cancelled. Once Cancel is asked, the fit's results never reach `onDone`, even if the
 * worker finished before it read the cancel: a cancelled fit writes nothing.
 */
import { HlmError } from "@hlm/core";
import type { SheetLayout } from "../common/rangeToTable.js";
import type { PackedTable } from "../worker/packedTable.js";
import type { CompareDone, CompareProgress, CompareRequest, FitDone, FitFailed, FitProgress, FitRequest, PaneToWorker, WorkerToPane } from "../worker/protocol.js";
import { unpackSheetTables } from "../common/sheetTables.js";

/** What the client needs of a Worker (a fake in the tests). */
export interface WorkerLike {
  postMessage(message: PaneToWorker): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<WorkerToPane>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export interface FitHandlers {
  onProgress(m: FitProgress): void;
  onDone(m: FitDone): void;
  /** `how`: the worker stopped at the cancel (`worker`) or was terminated by the backstop (`terminated`). */
  onCancelled(evaluations: number, how: "worker" | "terminated"): void;
  onError(m: Pick<FitFailed, "message" | "code">): void;
}

export type FitInput = Omit<FitRequest, "type" | "id" | "cancelFlag">;

/** The handlers of a comparison: as a fit's, with its own progress and result. */
export interface CompareHandlers {
  onProgress(m: CompareProgress): void;
  onDone(m: CompareDone): void;
  onCancelled(evaluations: number, how: "worker" | "terminated"): void;
  onError(m: Pick<FitFailed, "message" | "code">): void;
}

export type CompareInput = Omit<CompareRequest, "type" | "id" | "cancelFlag">;

export interface FitClientOptions {
  /** Time to wait for the worker's reply to a cancel before terminating it (default 2000 ms). */
  backstopMs?: number;
  /** Use a SharedArrayBuffer cancel flag (default: when the page is cross-origin isolated). */
  sharedFlag?: boolean;
  /** About how many cells of a range go in one message to the worker (default 20,000). */
  chunkCells?: number;
  /** Lets the page run between two such messages (default: the next task, through a MessageChannel). */
  yieldToPage?: () => Promise<void>;
}

/** A promise that settles in a later task, with no timer clamping (setTimeout's 4 ms once nested). */
export function nextTask(): Promise<void> {
  if (typeof MessageChannel === "undefined") return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/** The table of a range, as the worker made it, and where it is on the sheet. */
export interface RangeTable {
  table: PackedTable;
  layout: SheetLayout;
}

interface PendingTable {
  resolve(table: RangeTable): void;
  reject(error: HlmError): void;
}

/** Can this page share memory with its worker (cross-origin isolated, SharedArrayBuffer present)? */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer !== "undefined" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

interface Running {
  id: number;
  handlers: { kind: "fit"; on: FitHandlers } | { kind: "compare"; on: CompareHandlers };
  flag?: Int32Array;
  evaluations: number;
  backstop?: ReturnType<typeof setTimeout>;
}

export class FitClient {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private running: Running | null = null;
  private nextTableId = 1;
  private readonly tables = new Map<number, PendingTable>();
  private readonly backstopMs: number;
  private readonly sharedFlag: boolean;
  private readonly chunkCells: number;
  private readonly yieldToPage: () => Promise<void>;

  constructor(
    private readonly createWorker: () => WorkerLike,
    options: FitClientOptions = {},
  ) {
    this.backstopMs = options.backstopMs ?? 2000;
    this.sharedFlag = options.sharedFlag ?? canShareMemory();
    this.chunkCells = Math.max(1, options.chunkCells ?? 20_000);
    this.yieldToPage = options.yieldToPage ?? nextTask;
  }

  /**
   * Starts the worker now rather than at the first range or fit, so that loading its code (some
   * hundreds of milliseconds, on its own thread) is done by the time the person picks the data.
   */
  warmUp(): void {
    try {
      this.ensureWorker();
    } catch {
      // the first real use reports it
    }
  }

  /** Is a fit running? */
  get busy(): boolean {
    return this.running !== null;
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.createWorker();
    w.onmessage = (event) => this.receive(event.data);
    w.onerror = (event) => {
      event.preventDefault?.();
      const r = this.running;
      const message = `The fitting engine stopped unexpectedly${event.message ? ` (${event.message})` : ""}; try again.`;
      this.discardWorker(message);
      if (r) {
        this.finish(r);
        r.handlers.on.onError({ code: "INTERNAL", message });
      }
    };
    this.worker = w;
    return w;
  }

  /** Terminates the worker; tables it was making are rejected with `why`. */
  private discardWorker(why = "The fitting engine was restarted; read the range again."): void {
    this.rejectTables(new HlmError("INTERNAL", why));
    if (!this.worker) return;
    this.worker.onmessage = null;
    this.worker.onerror = null;
    this.worker.terminate();
    this.worker = null;
  }

  private finish(r: Running): void {
    if (r.backstop !== undefined) clearTimeout(r.backstop);
    if (this.running === r) this.running = null;
  }

  private rejectTables(error: HlmError): void {
    const pending = [...this.tables.values()];
    this.tables.clear();
    for (const p of pending) p.reject(error);
  }

  /**
   * The table of a range's cells (first row the header), made in the worker with `rangeToTable`'s
   * checks. The cells go in messages of about `chunkCells` cells, one task of the page each, so that
   * copying them to the worker never holds the page for long. Rejects with an HlmError: DATA (the
   * message names the range, column or cell), CANCELLED (a newer call replaced this one), INTERNAL
   * (the worker stopped). `what` names the range in messages ("selection", "used range"); `at` is
   * where the range starts on its sheet (0-based row and column), so that messages name its cells.
   */
  async makeTable(values: readonly (readonly unknown[])[], what: string, at: { firstRow?: number; firstColumn?: number } = {}): Promise<RangeTable> {
    const id = this.nextTableId++;
    this.rejectTables(new HlmError("CANCELLED", "A newer range replaced this one."));
    const result = new Promise<RangeTable>((resolve, reject) => this.tables.set(id, { resolve, reject }));
    result.catch(() => undefined); // rejected while the chunks are still going out: the caller gets it below
    const live = (w: WorkerLike): boolean => this.worker === w && this.tables.has(id);
    try {
      const worker = this.ensureWorker();
      const per = Math.max(1, Math.floor(this.chunkCells / Math.max(1, values[0]?.length ?? 1)));
      for (let i = 0; i < values.length && live(worker); i += per) {
        if (i > 0) await this.yieldToPage();
        if (live(worker)) worker.postMessage({ type: "rows", id, rows: values.slice(i, i + per) as unknown[][] });
      }
      // when replaced or the worker stopped, `result` is rejected already
      if (live(worker)) {
        worker.postMessage({
          type: "makeTable",
          id,
          what,
          ...(at.firstRow !== undefined ? { firstRow: at.firstRow } : {}),
          ...(at.firstColumn !== undefined ? { firstColumn: at.firstColumn } : {}),
        });
      }
    } catch (e) {
      const p = this.tables.get(id);
      this.tables.delete(id);
      p?.reject(new HlmError("INTERNAL", `The fitting engine could not take the ${what}: ${e instanceof Error ? e.message : String(e)}.`));
    }
    return result;
  }

  private receive(m: WorkerToPane): void {
    if (m.type === "tableReady" || m.type === "tableFailed") {
      const p = this.tables.get(m.id);
      if (!p) return; // replaced meanwhile
      this.tables.delete(m.id);
      if (m.type === "tableReady") p.resolve({ table: m.table, layout: m.layout });
      else p.reject(new HlmError(m.code, m.message));
      return;
    }
    const r = this.running;
    if (!r || m.id !== r.id) return; // a reply of an earlier fit
    const h = r.handlers;
    switch (m.type) {
      case "progress":
        r.evaluations = m.evaluations;
        if (h.kind === "fit") h.on.onProgress(m);
        break;
      case "compareProgress":
        r.evaluations = m.evaluations;
        if (h.kind === "compare") h.on.onProgress(m);
        break;
      case "done":
        this.finish(r);
        // a fit that finished while its cancel was on the way counts as cancelled: its tables are dropped, nothing is written
        if (r.backstop !== undefined) h.on.onCancelled(m.fit.evaluations, "worker");
        else if (h.kind === "fit") {
          unpackSheetTables(m.tables); // the diagnostics' typed columns back into rows
          // the result's handling (laying out and writing the sheets) in a task of its own: 100,000
          // rows unpacked and laid out in one task would hold the page for more than 50 ms
          setTimeout(() => h.on.onDone(m), 0);
        }
        break;
      case "compareDone":
        this.finish(r);
        if (r.backstop !== undefined) h.on.onCancelled(r.evaluations, "worker");
        else if (h.kind === "compare") h.on.onDone(m);
        break;
      case "cancelled":
        this.finish(r);
        h.on.onCancelled(Math.max(m.evaluations, r.evaluations), "worker");
        break;
      case "error":
        this.finish(r);
        h.on.onError(m);
        break;
    }
  }

  /** Starts a fit; its replies go to `handlers`. A fit still running is cancelled first. */
  start(input: FitInput, handlers: FitHandlers): number {
    return this.post((id, flag) => ({ type: "fit", id, ...input, ...(flag ? { cancelFlag: flag } : {}) }), { kind: "fit", on: handlers });
  }

  /**
   * Starts a comparison of models (lme4's anova(m0, m1, ...)) in the worker; its replies go to
   * `handlers`. It runs, and is cancelled, as a fit is; a fit or comparison still running is cancelled first.
   */
  compare(input: CompareInput, handlers: CompareHandlers): number {
    return this.post((id, flag) => ({ type: "compare", id, ...input, ...(flag ? { cancelFlag: flag } : {}) }), { kind: "compare", on: handlers });
  }

  private post(request: (id: number, flag: Int32Array | undefined) => FitRequest | CompareRequest, handlers: Running["handlers"]): number {
    if (this.running) this.cancel();
    const id = this.nextId++;
    const flag = this.sharedFlag ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const r: Running = { id, handlers, evaluations: 0, ...(flag ? { flag } : {}) };
    this.running = r;
    try {
      this.ensureWorker().postMessage(request(id, flag));
    } catch (e) {
      this.finish(r);
      this.discardWorker();
      handlers.on.onError({ code: "INTERNAL", message: `The fitting engine could not be started: ${e instanceof Error ? e.message : String(e)}.` });
    }
    return id;
  }

  /** Cancels the running fit (no-op when none). */
  cancel(): void {
    const r = this.running;
    if (!r || r.backstop !== undefined) return;
    if (r.flag) Atomics.store(r.flag, 0, 1);
    this.worker?.postMessage({ type: "cancel", id: r.id });
    r.backstop = setTimeout(() => {
      if (this.running !== r) return;
      this.running = null;
      this.discardWorker(); // the next fit starts a fresh worker
      r.handlers.on.onCancelled(r.evaluations, "terminated");
    }, this.backstopMs);
  }

  /** Stops everything (the pane is closing). */
  dispose(): void {
    if (this.running) this.finish(this.running);
    this.discardWorker("The task pane closed.");
  }
}
