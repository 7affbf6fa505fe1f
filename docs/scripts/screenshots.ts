// Screenshots of the built site (docs/.vitepress/dist) in headless Chromium, for looking at the pages:
// `pnpm --filter @hlm/docs screenshots` after the build. PNGs go to docs/test/screenshots/.
import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const docs = fileURLToPath(new URL("../", import.meta.url));
const dist = join(docs, ".vitepress/dist");
const outDir = join(docs, "test/screenshots");
const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".json": "application/json", ".csv": "text/csv" };

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  const candidates = [join(dist, path), join(dist, path + ".html"), join(dist, path, "index.html")];
  const file = candidates.find((f) => f.startsWith(dist) && existsSync(f) && statSync(f).isFile());
  if (!file) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as { port: number }).port;

const shots = (process.argv.slice(2).length ? process.argv.slice(2) : ["/", "/tutorial/shrinkage", "/tutorial/ols", "/tutorial/macro-effects", "/tutorial/longitudinal", "/r-users", "/guide/getting-started"]);
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--headless"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  for (const path of shots) {
    await page.goto(`http://127.0.0.1:${port}${path}`, { waitUntil: "networkidle" });
    const name = path === "/" ? "home" : path.replace(/^\//, "").replace(/\//g, "-");
    await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
    console.log(`${name}.png`);
  }
} finally {
  await browser.close();
  server.close();
}
