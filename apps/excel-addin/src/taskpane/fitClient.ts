/**
 * The pane's side of the fitting worker: starts fits, routes the worker's replies by fit id, and
 * cancels. Cancel sets the shared flag (when the page is cross-origin isolated, the worker reads it
 * at every evaluation) and sends a `cancel` message; if the worker has not answered within the
 * backstop time (2 s), it is terminated and a fresh one started, and the fit counts as cancelled.
 */
import type { FitDone, FitFailed, FitProgress, FitRequest, PaneToWorker, WorkerToPane } from "../worker/protocol.js";

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

export interface FitClientOptions {
  /** Time to wait for the worker's reply to a cancel before terminating it (default 2000 ms). */
  backstopMs?: number;
  /** Use a SharedArrayBuffer cancel flag (default: when the page is cross-origin isolated). */
  sharedFlag?: boolean;
}

/** Can this page share memory with its worker (cross-origin isolated, SharedArrayBuffer present)? */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer !== "undefined" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

interface Running {
  id: number;
  handlers: FitHandlers;
  flag?: Int32Array;
  evaluations: number;
  backstop?: ReturnType<typeof setTimeout>;
}

export class FitClient {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private running: Running | null = null;
  private readonly backstopMs: number;
  private readonly sharedFlag: boolean;

  constructor(
    private readonly createWorker: () => WorkerLike,
    options: FitClientOptions = {},
  ) {
    this.backstopMs = options.backstopMs ?? 2000;
    this.sharedFlag = options.sharedFlag ?? canShareMemory();
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
      this.discardWorker();
      if (r) {
        this.finish(r);
        r.handlers.onError({ code: "INTERNAL", message: `The fitting engine stopped unexpectedly${event.message ? ` (${event.message})` : ""}; try again.` });
      }
    };
    this.worker = w;
    return w;
  }

  private discardWorker(): void {
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

  private receive(m: WorkerToPane): void {
    const r = this.running;
    if (!r || m.id !== r.id) return; // a reply of an earlier fit
    switch (m.type) {
      case "progress":
        r.evaluations = m.evaluations;
        r.handlers.onProgress(m);
        break;
      case "done":
        this.finish(r);
        r.handlers.onDone(m);
        break;
      case "cancelled":
        this.finish(r);
        r.handlers.onCancelled(Math.max(m.evaluations, r.evaluations), "worker");
        break;
      case "error":
        this.finish(r);
        r.handlers.onError(m);
        break;
    }
  }

  /** Starts a fit; its replies go to `handlers`. A fit still running is cancelled first. */
  start(input: FitInput, handlers: FitHandlers): number {
    if (this.running) this.cancel();
    const id = this.nextId++;
    const flag = this.sharedFlag ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const r: Running = { id, handlers, evaluations: 0, ...(flag ? { flag } : {}) };
    this.running = r;
    const req: FitRequest = { type: "fit", id, ...input, ...(flag ? { cancelFlag: flag } : {}) };
    try {
      this.ensureWorker().postMessage(req);
    } catch (e) {
      this.finish(r);
      this.discardWorker();
      handlers.onError({ code: "INTERNAL", message: `The fitting engine could not be started: ${e instanceof Error ? e.message : String(e)}.` });
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
      r.handlers.onCancelled(r.evaluations, "terminated");
    }, this.backstopMs);
  }

  /** Stops everything (the pane is closing). */
  dispose(): void {
    if (this.running) this.finish(this.running);
    this.discardWorker();
  }
}
