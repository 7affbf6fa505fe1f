/**
 * The fitting Web Worker (a module worker bundled by Vite): runs `runFit` for each `fit` message and
 * `runCompare` for each `compare` message,
 * and makes the table of a range from the `rows` chunks the pane posts (`tableLoads.ts`).
 *
 * Cancel: a fit is synchronous, so a `cancel` message is only read between fits; while the
 * optimizer runs, the shared flag of the request (when the page is cross-origin isolated) is read
 * at every evaluation. The pane's backstop terminates this worker when no reply comes within 2 s.
 *
 * Replies are copied, never transferred: a transfer detaches this worker's buffers, and after the
 * first detached buffer V8 checks every typed-array access in the worker for detachment, which made
 * the engine's loops (and a 100,000-row fit) about a third slower. The tables' transfer lists
 * (`packTable`, `packSheetTables`) are left unused here for that reason.
 */
import type { PaneToWorker, WorkerToPane } from "./protocol.js";
import { runCompare } from "./runCompare.js";
import { runFit } from "./runFit.js";
import { TableLoads } from "./tableLoads.js";
import { warmUpRequests } from "./warmUp.js";

interface WorkerScope {
  postMessage(message: WorkerToPane): void;
  addEventListener(type: "message", listener: (event: MessageEvent<PaneToWorker>) => void): void;
}

const scope = self as unknown as WorkerScope;
/** Ids cancelled before their fit started (messages queued behind a running fit). */
const cancelledIds = new Set<number>();
const loads = new TableLoads();

scope.addEventListener("message", (event) => {
  const msg = event.data;
  if (msg.type === "cancel") {
    cancelledIds.add(msg.id);
    return;
  }
  if (msg.type === "rows") {
    loads.add(msg);
    return;
  }
  if (msg.type === "makeTable") {
    scope.postMessage(loads.finish(msg).reply);
    return;
  }
  const flag = msg.cancelFlag;
  const isCancelled = (): boolean => cancelledIds.has(msg.id) || (flag !== undefined && Atomics.load(flag, 0) !== 0);
  if (msg.type === "compare") runCompare(msg, (m) => scope.postMessage(m), isCancelled);
  else runFit(msg, (m) => scope.postMessage(m), isCancelled);
  cancelledIds.delete(msg.id);
});

// the warm-up fits (warmUp.ts), one per task, while the person picks the data: a request that comes
// meanwhile waits for at most one of them
const warmUp = warmUpRequests();
const warmStep = (): void => {
  const req = warmUp.shift();
  if (!req) return;
  runFit(req, () => undefined, () => false);
  setTimeout(warmStep, 0);
};
setTimeout(warmStep, 0);
