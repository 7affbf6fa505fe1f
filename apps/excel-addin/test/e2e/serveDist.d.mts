import type { Server } from "node:http";
/** The Content-Security-Policy of the built taskpane.html in `distDir`. */
export function builtPolicy(distDir: string): string;
/** Serves `distDir` on 127.0.0.1 (with the page's CSP as a header; `isolated`: cross-origin isolated). */
export function serveDist(distDir: string, isolated: boolean): Promise<{ server: Server; origin: string }>;
