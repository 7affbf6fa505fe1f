#!/usr/bin/env node
import { run } from "./run.js";

// A reader that stops early (`hlm fit … | head`) closes the pipe: the command ends quietly, as
// git and Rscript do, instead of failing on the next write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stderrIsTTY: process.stderr.isTTY === true,
});
