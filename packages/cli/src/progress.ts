/** Where a command writes, injectable for tests. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress is shown only there, on one line that is rewritten. */
  stderrIsTTY?: boolean;
  /** The clock of the progress line, in milliseconds (default: performance.now). */
  now?: () => number;
}

/** A progress line on stderr. */
export interface Progress {
  /** Says where the work is; shown at most every 100 ms, and only once `delayMs` have passed. */
  update: (text: string) => void;
  /** Erases the line (before the command prints its result or a message). */
  clear: () => void;
}

const NONE: Progress = { update: () => undefined, clear: () => undefined };

/**
 * A progress line for work that can take a while, as git shows it: on stderr, only when stderr is a
 * terminal (never in a pipe, a file or a log), rewritten in place and erased when the work is done.
 * Work that ends before `delayMs` shows nothing.
 */
export function createProgress(io: Io, delayMs = 0): Progress {
  if (!io.stderrIsTTY) return NONE;
  const now = io.now ?? (() => performance.now());
  const start = now();
  let last = -Infinity;
  let shown = false;
  return {
    update(text) {
      const t = now();
      if (t - start < delayMs || t - last < 100) return;
      last = t;
      shown = true;
      io.stderr(`\r${text}\u001b[K`);
    },
    clear() {
      if (shown) io.stderr("\r\u001b[K");
      shown = false;
    },
  };
}

/** Work that usually ends quickly (reading the data, one fit) shows progress only after this long. */
export const PROGRESS_DELAY_MS = 1000;

/** Runs work with a progress line, erased when the work ends or fails (`delayMs`: as in createProgress). */
export async function withProgress<T>(io: Io, delayMs: number, work: (p: Progress) => T | Promise<T>): Promise<T> {
  const p = createProgress(io, delayMs);
  try {
    return await work(p);
  } finally {
    p.clear();
  }
}
