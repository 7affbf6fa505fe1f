/**
 * A static server of a built task pane (dist/) on 127.0.0.1, shared by the end-to-end test and the
 * add-in benchmark (scripts/bench.mjs). It sends the page's Content-Security-Policy (read from the
 * built taskpane.html) as a header too, since a worker's policy comes with its script, not from the
 * page's meta element; `isolated` adds the headers that make the page cross-origin isolated.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".css": "text/css",
  ".map": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
};

/** The Content-Security-Policy of the built taskpane.html in `distDir`. */
export function builtPolicy(distDir) {
  const html = readFileSync(join(distDir, "taskpane.html"), "utf8");
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  if (!meta) throw new Error("dist/taskpane.html has no Content-Security-Policy");
  return meta[1];
}

/** Serves `distDir`; resolves to the server and its origin (http://127.0.0.1:port). */
export async function serveDist(distDir, isolated) {
  const policy = builtPolicy(distDir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(distDir, path === "/" ? "taskpane.html" : path));
    if (!file.startsWith(distDir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const headers = {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cache-Control": "no-store",
      "Content-Security-Policy": policy,
    };
    if (isolated) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}
