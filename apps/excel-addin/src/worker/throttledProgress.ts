import type { OptimizerProgress } from "@hlm/core";

/**
 * The optimizer's `onProgress` for a fit in the worker: at every evaluation it records the progress
 * (`seen`) and asks whether the fit was cancelled (then it stops the optimizer); it reports to the
 * pane (`report`) at most every `intervalMs` by the clock `now`, the first time at once when `last`
 * is −Infinity.
 */
export function throttledProgress(
  options: { isCancelled: () => boolean; now: () => number; intervalMs: number; last?: number },
  seen: (p: OptimizerProgress) => void,
  report: (p: OptimizerProgress) => void,
): (p: OptimizerProgress) => boolean {
  let last = options.last ?? -Infinity;
  return (p) => {
    seen(p);
    if (options.isCancelled()) return false;
    const t = options.now();
    if (t - last >= options.intervalMs) {
      last = t;
      report(p);
    }
    return true;
  };
}
