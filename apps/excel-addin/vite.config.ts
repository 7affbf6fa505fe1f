/**
 * Vite build of the task pane: `taskpane.html` → `dist/taskpane.html` with its bundle and the
 * fitting worker (an ES module worker) in `dist/assets/`. `dist/` is shared with the other build
 * steps (tsc's library output, `functions.js`, `functions.json`, the manifest), so it is not emptied.
 *
 * `@stdlib/function-ctor` (the global `Function`, used only by a code-generating factory that the
 * engine never calls) is replaced by a stub that throws: no string evaluation in the bundles (see
 * scripts/shims/function-ctor.cjs).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * Removes the pane's bundles of earlier builds from dist/assets (the folder is not emptied, see
 * above): what dist/ holds is what this build made, and the security test scans that.
 */
function removeOldBundles(): Plugin {
  return {
    name: "hlm-remove-old-bundles",
    apply: "build",
    buildStart() {
      const assets = join(import.meta.dirname, "dist", "assets");
      if (!existsSync(assets)) return;
      for (const f of readdirSync(assets)) if (/^(taskpane|fitWorker)-[\w-]+\.js(\.map)?$/.test(f)) rmSync(join(assets, f));
    },
  };
}

/**
 * The pane's Content-Security-Policy (its meta element), which `pnpm serve` also sends as a header:
 * the fitting worker takes its policy from the response that delivers its script, not from the page.
 */
const policy = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(readFileSync(join(import.meta.dirname, "taskpane.html"), "utf8"))?.[1]?.replace(/\s+/g, " ");

/** `npx office-addin-dev-certs install` puts a trusted localhost certificate here; `pnpm serve` uses it. */
const certs = join(homedir(), ".office-addin-dev-certs");
const https = existsSync(join(certs, "localhost.crt"))
  ? { key: readFileSync(join(certs, "localhost.key")), cert: readFileSync(join(certs, "localhost.crt")) }
  : undefined;

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react(), removeOldBundles()],
  resolve: { alias: { "@stdlib/function-ctor": fileURLToPath(new URL("./scripts/shims/function-ctor.cjs", import.meta.url)) } },
  publicDir: false,
  worker: { format: "es" },
  // `pnpm --filter @hlm/excel-addin serve`: the built dist/ at https://localhost:3000/, where the manifest points
  preview: { port: 3000, strictPort: true, ...(https ? { https } : {}), ...(policy ? { headers: { "Content-Security-Policy": policy } } : {}) },
  build: {
    outDir: "dist",
    emptyOutDir: false,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { taskpane: "taskpane.html" } },
  },
});
