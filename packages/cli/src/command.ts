import { run } from "./run.js";

/**
 * The hlm command, as the bundle (dist/hlm.cjs) exports it to its loader (main.ts): runs the command
 * line's arguments and returns the exit code.
 */
export function runCommand(argv: string[]): Promise<number> {
  // A reader that stops early (`hlm fit … | head`) closes the pipe: the command ends quietly, as
  // git and Rscript do, instead of failing on the next write.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  return run(argv, {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
  });
}
