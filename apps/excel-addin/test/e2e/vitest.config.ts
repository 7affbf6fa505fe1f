/**
 * The end-to-end test of the task pane in headless Chromium (not part of the root `vitest run`,
 * which takes the `src` tests and the suites directly in `test/`). Needs the built pane
 * (`npx vite build` in apps/excel-addin) and /usr/bin/chromium (Debian's `chromium`); without
 * Chromium the test is skipped with a message.
 *
 *   cd apps/excel-addin && npx vite build && npx vitest run --config test/e2e/vitest.config.ts
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  cacheDir: "../../node_modules/.vite-e2e",
  test: {
    root: import.meta.dirname,
    include: ["**/*.e2e.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
