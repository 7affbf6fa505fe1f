/** The worker's runs as the tests call them: every message posted, as the pane receives it (a structured clone). */
import type { CompareRequest, FitRequest, WorkerToPane } from "../src/worker/protocol.js";
import { runCompare } from "../src/worker/runCompare.js";
import { runFit } from "../src/worker/runFit.js";

export function fitReplies(req: FitRequest, isCancelled: () => boolean = () => false, now?: () => number): WorkerToPane[] {
  const out: WorkerToPane[] = [];
  runFit(req, (m) => out.push(structuredClone(m)), isCancelled, now);
  return out;
}

export function compareReplies(req: CompareRequest, isCancelled: () => boolean = () => false): WorkerToPane[] {
  const out: WorkerToPane[] = [];
  runCompare(req, (m) => out.push(structuredClone(m)), isCancelled);
  return out;
}
