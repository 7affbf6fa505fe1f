/**
 * Vite build of the task pane: `taskpane.html` → `dist/taskpane.html` with its bundle and the
 * fitting worker (an ES module worker) in `dist/assets/`. `dist/` is shared with the other build
 * steps (tsc's library output, `functions.js`, `functions.json`, the manifest), so it is not emptied.
 *
 * `@stdlib/function-ctor` (the global `Function`, used only by a code-generating factory that the
 * engine never calls) is replaced by a stub that throws: no string evaluation in the bundles (see
 * scripts/shims/function-ctor.cjs).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** `npx office-addin-dev-certs install` puts a trusted localhost certificate here; `pnpm serve` uses it. */
const certs = join(homedir(), ".office-addin-dev-certs");
const https = existsSync(join(certs, "localhost.crt"))
  ? { key: readFileSync(join(certs, "localhost.key")), cert: readFileSync(join(certs, "localhost.crt")) }
  : undefined;

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react()],
  resolve: { alias: { "@stdlib/function-ctor": fileURLToPath(new URL("./scripts/shims/function-ctor.cjs", import.meta.url)) } },
  publicDir: false,
  worker: { format: "es" },
  // `pnpm --filter @hlm/excel-addin serve`: the built dist/ at https://localhost:3000/, where the manifest points
  preview: { port: 3000, strictPort: true, ...(https ? { https } : {}) },
  build: {
    outDir: "dist",
    emptyOutDir: false,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { taskpane: "taskpane.html" } },
  },
});
