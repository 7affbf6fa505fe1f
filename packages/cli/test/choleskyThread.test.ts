import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

// The dense Cholesky's second thread as the built command ships it: its script beside the bundle,
// started from the engine's build, also in a process run as `node --input-type=module -e …` (as
// `pnpm bench` runs the command), whose flags a worker must not inherit.
const worker = fileURLToPath(new URL("../dist/chunks/choleskyWorker.mjs", import.meta.url));
const helper = pathToFileURL(fileURLToPath(new URL("../../core/dist/kernels/choleskyHelper.js", import.meta.url))).href;

describe("the Cholesky's second thread in the built command", () => {
  it("ships beside the bundle and starts under node --input-type=module", () => {
    expect(existsSync(worker)).toBe(true);
    // started, and still running once its script has loaded (a flag it must not take stops it there)
    const code = `const H = await import(${JSON.stringify(helper)}); const started = await H.startCholeskyHelper(${JSON.stringify(worker)}); await new Promise((r) => setTimeout(r, 500)); console.log(started, H.choleskyHelperRunning());`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 30_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("true true");
  });
});
