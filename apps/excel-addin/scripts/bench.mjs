#!/usr/bin/env node
/**
 * `pnpm --filter @hlm/excel-addin bench`: the task pane's large-range path, timed end to end in
 * headless Chromium (a report, not a test: nothing here passes or fails on a time).
 *
 * The built pane (`dist/`, from `pnpm build`) is served from 127.0.0.1 as the end-to-end test
 * serves it, with the test's in-page fake of the Excel API (`test/e2e/fakeExcel.js`) holding a
 * generated table: 100,000 rows of y, x, z and a text group g with 4,000 levels (seeded; random
 * intercepts and slopes of x by g). The script selects the range, clicks "Use selection", types
 * the formula `y ~ x + z + (x | g)`, clicks "Fit model" and waits for the result sheets (four: the diagnostics sheet too), then
 * reports each phase's time, the `context.sync` calls and cells of the fake, and how responsive the
 * page stayed: the main thread's long tasks (PerformanceObserver `longtask`, every task > 50 ms)
 * and the longest gap between animation frames.
 *
 * Options: --dist DIR (the built pane to serve, default dist/), --rows N (100000), --groups N (4000), --seed N (20240611), --formula F,
 * --runs N (1; the report shows the last, the summary line each), --json FILE (the measurements),
 * --profile FILE (a CPU profile of the page's main thread, .cpuprofile, with its top functions),
 * --trace FILE (a Chrome trace of the last run, .json, for DevTools' Performance panel),
 * --screenshot FILE (default test/e2e/screenshots/bench-100k.png).
 *
 * Without Chromium (/usr/bin/chromium, or HLM_CHROMIUM) it says so in one line and exits 0.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { serveDist } from "../test/e2e/serveDist.mjs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";

const CHROMIUM = process.env["HLM_CHROMIUM"] ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.log(`bench: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set HLM_CHROMIUM); nothing measured.`);
  process.exit(0);
}

const appDir = new URL("../", import.meta.url).pathname;
const { values: opts } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"), // `pnpm bench -- --runs 5` passes the "--" on
  options: {
    dist: { type: "string", default: join(appDir, "dist") },
    rows: { type: "string", default: "100000" },
    groups: { type: "string", default: "4000" },
    seed: { type: "string", default: "20240611" },
    formula: { type: "string", default: "y ~ x + z + (x | g)" },
    runs: { type: "string", default: "1" },
    json: { type: "string" },
    profile: { type: "string" },
    trace: { type: "string" },
    screenshot: { type: "string", default: join(appDir, "test/e2e/screenshots/bench-100k.png") },
  },
});
const distDir = resolve(opts.dist);
const ROWS = Number(opts.rows);
const GROUPS = Number(opts.groups);
const SEED = Number(opts.seed);
const RUNS = Math.max(1, Number(opts.runs));
if (!(ROWS >= 1 && GROUPS >= 1 && GROUPS <= ROWS)) throw new Error("bench: --rows and --groups must be positive, groups ≤ rows");
if (!existsSync(join(distDir, "taskpane.html"))) {
  console.error("bench: dist/taskpane.html is missing: build first (npx --yes pnpm@10.34.9 build from the repository root).");
  process.exit(1);
}
const { chromium } = await import("playwright-core");

/**
 * The sheet: a header row and `n` rows of y, x, z, g (text labels G0001…), seeded. Every group gets a
 * row first, the rest go to groups at random (about n / groups rows each, unequal). Runs in the page
 * (it is sent as source), so the 400,000 cells never cross the DevTools connection.
 *   y = 10 + 2 x + 0.5 z + b0[g] + b1[g] x + e,  b0 ~ N(0, 1.5²), b1 ~ N(0, 0.5²), cor 0.3, e ~ N(0, 1)
 */
function benchData(n, groups, seed) {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0; // mulberry32
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const round = (v, d) => Math.round(v * 10 ** d) / 10 ** d;
  const width = String(groups).length;
  const b0 = [];
  const b1 = [];
  for (let k = 0; k < groups; k++) {
    const u = normal();
    b0.push(1.5 * u);
    b1.push(0.5 * (0.3 * u + Math.sqrt(1 - 0.09) * normal()));
  }
  const rows = [["y", "x", "z", "g"]];
  for (let i = 0; i < n; i++) {
    const k = i < groups ? i : Math.floor(rand() * groups);
    const x = round(normal(), 4);
    const z = round(10 * rand(), 2);
    const y = round(10 + 2 * x + 0.5 * z + b0[k] + b1[k] * x + normal(), 4);
    rows.push([y, x, z, `G${String(k + 1).padStart(width, "0")}`]);
  }
  return rows;
}

/**
 * The page's side of the measurements (bench code, injected before the pane loads): long tasks,
 * animation-frame gaps, the clicks and the moments the range, progress and result appear, and the
 * messages to and from the fitting worker (a subclass of Worker that notes them and passes them on).
 */
function benchMonitor() {
  const now = () => performance.now();
  const B = { on: false, t0: 0, t1: 0, longTasks: [], gaps: [], frames: 0, maxGap: 0, marks: {}, worker: [], longTaskObserver: false };
  globalThis.__bench = B;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
    B.longTaskObserver = true;
  } catch {
    B.longTaskObserver = false;
  }
  let last = null;
  const frame = (t) => {
    if (B.on) {
      B.frames++;
      if (last !== null) {
        const gap = t - last;
        B.maxGap = Math.max(B.maxGap, gap);
        if (gap > 50) B.gaps.push({ start: last, gap });
      }
      last = t;
    } else last = null;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  document.addEventListener(
    "click",
    (e) => {
      const b = e.target instanceof Element ? e.target.closest("button") : null;
      if (b && B.on) B.marks[`click ${b.textContent.trim()}`] ??= now();
    },
    true,
  );
  const ids = ["range-info", "progress", "result", "fit-error", "range-error"];
  new MutationObserver(() => {
    if (!B.on) return;
    for (const id of ids) if (B.marks[id] === undefined && document.querySelector(`[data-testid="${id}"]`)) B.marks[id] = now();
  }).observe(document, { subtree: true, childList: true });
  const W = globalThis.Worker;
  if (W) {
    globalThis.Worker = class BenchWorker extends W {
      constructor(url, options) {
        const t = now();
        super(url, options);
        B.worker.push({ what: "new Worker", at: t, ms: now() - t });
        this.addEventListener("message", (ev) => {
          const t0 = now();
          const m = ev.data; // reading the data deserializes it (on the main thread)
          if (B.on) B.worker.push({ what: `receive ${m.type}${m.stage ? ` ${m.stage}` : ""}`, at: t0, ms: now() - t0, elapsedMs: m.elapsedMs });
        });
      }
      postMessage(message, transfer) {
        const t = now();
        if (transfer === undefined) super.postMessage(message);
        else super.postMessage(message, transfer);
        if (B.on) B.worker.push({ what: `post ${message?.type}`, at: t, ms: now() - t });
      }
    };
  }
  B.start = () => {
    performance.mark("hlm-bench-start"); // ties a trace's clock to the page's
    B.longTasks.length = 0;
    Object.assign(B, { on: true, t0: now(), gaps: [], frames: 0, maxGap: 0, marks: {}, worker: [] });
  };
  B.stop = () => {
    B.on = false;
    B.t1 = now();
    return {
      t0: B.t0,
      t1: B.t1,
      longTaskObserver: B.longTaskObserver,
      longTasks: B.longTasks.filter((e) => e.start + e.duration >= B.t0),
      gaps: B.gaps,
      frames: B.frames,
      maxGap: B.maxGap,
      marks: B.marks,
      worker: B.worker,
      excel: globalThis.__hlmFake.stats(),
    };
  };
}

/**
 * The main-thread tasks over 50 ms in a Chrome trace, on the page's clock (from the mark that
 * `__bench.start` sets), each with what it spent its time on: garbage collection, style and layout,
 * and the rest (script), and the DOM events it dispatched.
 */
function traceTasks(events, t0) {
  const mark = events.find((e) => e.name === "hlm-bench-start");
  if (!mark) return [];
  const main = new Set(events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain" && e.pid === mark.pid).map((e) => e.tid));
  const onMain = events.filter((e) => e.pid === mark.pid && main.has(e.tid) && e.ph === "X");
  const GC = new Set(["MajorGC", "MinorGC", "V8.GCIncrementalMarking", "V8.GCFinalizeMC"]);
  const LAYOUT = new Set(["UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Commit", "Layerize"]);
  const tasks = onMain.filter((e) => e.name === "RunTask" && e.dur > 50_000 && e.ts >= mark.ts);
  return tasks.map((t) => {
    const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur);
    const sum = (set) => inside.filter((e) => set.has(e.name) && !inside.some((o) => o !== e && set.has(o.name) && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur)).reduce((x, e) => x + e.dur / 1000, 0);
    const gc = sum(GC);
    const layout = sum(LAYOUT);
    const events = [...new Set(inside.filter((e) => e.name === "EventDispatch").map((e) => e.args?.data?.type).filter(Boolean))];
    const timers = inside.some((e) => e.name === "TimerFire");
    return { start: t0 + (t.ts - mark.ts) / 1000, duration: t.dur / 1000, gc, layout, script: t.dur / 1000 - gc - layout, events, timers };
  });
}

/** The top functions by self time of a CPU profile (DevTools' format). */
function topFunctions(profile, count = 12) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url ? `${f.url.replace(/^.*\//, "")}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ""}`.trim();
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  return [...self.entries()]
    .filter(([k]) => !k.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
}

const fakeScript = readFileSync(join(appDir, "test/e2e/fakeExcel.js"), "utf8");
const setup = { sheets: [], active: "Data", selection: { sheet: "Data", address: `A1:D${ROWS + 1}` } };
const initScript = `${fakeScript}
${benchData.toString()}
${benchMonitor.toString()}
benchMonitor();
installFakeExcel({ ...${JSON.stringify(setup)}, sheets: [{ name: "Data", values: benchData(${ROWS}, ${GROUPS}, ${SEED}) }] });`;

// served as the end-to-end test serves it: cross-origin isolated, the page's CSP as a header too
const { server, origin } = await serveDist(distDir, true);
const userDataDir = mkdtempSync(join(tmpdir(), "hlm-bench-chromium-"));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 350, height: 900 },
  deviceScaleFactor: 1,
});

/** One run in a fresh page: returns the page's measurements (times in ms on the page's clock). */
async function run(index) {
  const page = await browser.newPage();
  await page.route("**/*", (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort("blockedbyclient")));
  await page.addInitScript({ content: initScript });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${origin}/taskpane.html`);
  await page.getByRole("button", { name: "Use selection" }).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500); // let the first render and fonts settle
  const cdp = opts.profile ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  const tracing = opts.trace && index === RUNS - 1 ? await page.context().newCDPSession(page) : null;
  const traceEvents = [];
  if (tracing) {
    tracing.on("Tracing.dataCollected", (e) => traceEvents.push(...e.value));
    await tracing.send("Tracing.start", {
      categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,blink.user_timing,loading,disabled-by-default-devtools.timeline.frame",
      transferMode: "ReportEvents",
    });
  }
  await page.evaluate(() => globalThis.__bench.start());
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByTestId("range-address").waitFor({ timeout: 120_000 });
  await page.getByRole("textbox", { name: "Formula" }).fill(opts.formula);
  await page.getByText("Formula reads well.").waitFor({ timeout: 10_000 });
  await page.getByRole("button", { name: "Fit model" }).click();
  await page.locator('[data-testid="result"], [data-testid="fit-error"]').first().waitFor({ timeout: 600_000 });
  await page.waitForTimeout(300); // tasks right after the result (paint, layout) count too
  const m = await page.evaluate(() => globalThis.__bench.stop());
  if (tracing) {
    const complete = new Promise((r) => tracing.once("Tracing.tracingComplete", r));
    await tracing.send("Tracing.end");
    await complete;
    mkdirSync(dirname(resolve(opts.trace)), { recursive: true });
    writeFileSync(opts.trace, JSON.stringify({ traceEvents }));
    m.traceTasks = traceTasks(traceEvents, m.t0);
  }
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    mkdirSync(dirname(resolve(opts.profile)), { recursive: true });
    writeFileSync(opts.profile, JSON.stringify(profile));
    m.topFunctions = topFunctions(profile);
  }
  if (await page.getByTestId("fit-error").count()) throw new Error(`bench: the fit failed: ${await page.getByTestId("fit-error").textContent()}`);
  m.resultText = await page.getByTestId("result").innerText();
  // what the sheets say: the fixed effects (simulated 10, 2, 0.5) and the rows of random effects
  m.check = await page.evaluate(() => {
    const fake = globalThis.__hlmFake;
    const summary = fake.sheet("HLM Summary")?.values ?? [];
    // the rows of the Fixed effects table only (the type III tests below it name the terms too)
    const head = summary.findIndex((r) => r[0] === "Term" && r[1] === "Estimate");
    const end = summary.findIndex((r, i) => i > head && (r[0] === "" || r[0] === null || r[0] === undefined));
    const fixedRows = head < 0 ? [] : summary.slice(head + 1, end < 0 ? undefined : end);
    const fixef = Object.fromEntries(fixedRows.filter((r) => ["(Intercept)", "x", "z"].includes(r[0]) && typeof r[1] === "number").map((r) => [r[0], r[1]]));
    const re = fake.sheet("HLM Random Effects")?.values ?? [];
    return { fixef, groupRows: re.filter((r) => typeof r[0] === "string" && /^G\d+$/.test(r[0])).length };
  });
  m.errors = errors;
  // the same fit again, in the same page and worker: a session's later fits, beside its first
  const before = await page.getByTestId("result").textContent();
  await page.getByRole("button", { name: "Fit model" }).click();
  await page.waitForFunction((prev) => {
    const el = document.querySelector('[data-testid="result"]');
    return el !== null && el.textContent !== prev;
  }, before, { timeout: 600_000, polling: 100 });
  m.againText = await page.getByTestId("result").innerText();
  if (index === RUNS - 1 && opts.screenshot) {
    await page.waitForTimeout(400);
    mkdirSync(dirname(resolve(opts.screenshot)), { recursive: true });
    await page.screenshot({ path: opts.screenshot });
  }
  await page.close();
  return m;
}

/** Phases and the responsiveness numbers of one run's measurements. */
function analyse(m) {
  const rel = (t) => t - m.t0;
  const mk = m.marks;
  const need = (name, v) => {
    if (v === undefined) throw new Error(`bench: no '${name}' mark in the page's measurements`);
    return v;
  };
  const selClick = need("click Use selection", mk["click Use selection"]);
  const rangeShown = need("range-info", mk["range-info"]);
  const fitClick = need("click Fit model", mk["click Fit model"]);
  const result = need("result", mk["result"]);
  const readRun = m.excel.find((r) => r.start >= selClick && r.start < rangeShown);
  const post = m.worker.find((w) => w.what === "post fit" && w.at >= fitClick);
  const done = m.worker.find((w) => w.what === "receive done" && w.at >= fitClick);
  if (!readRun || !post || !done) throw new Error("bench: the read, the post of the fit or its reply is missing from the measurements");
  const writeRun = m.excel.find((r) => r.start >= done.at);
  if (!writeRun) throw new Error("bench: no Excel.run for the writing");
  // a task or frame gap belongs to the phase it overlaps most
  const windows = [
    ["start", -Infinity, selClick],
    ["read", selClick, rangeShown],
    ["typing the formula", rangeShown, fitClick],
    ["fit", fitClick, done.at],
    ["write", done.at, writeRun.end],
    ["show", writeRun.end, Infinity],
  ];
  const phaseOf = (s, d) => {
    const overlap = ([, a, b]) => Math.min(b, s + d) - Math.max(a, s);
    return windows.reduce((best, w) => (overlap(w) > overlap(best) ? w : best))[0];
  };
  const longTasks = m.longTasks.map((e) => ({ start: rel(e.start), duration: e.duration, phase: phaseOf(e.start, e.duration) })).sort((a, b) => b.duration - a.duration);
  const gaps = m.gaps.map((g) => ({ start: rel(g.start), duration: g.gap, phase: phaseOf(g.start, g.gap) })).sort((a, b) => b.duration - a.duration);
  const traced = m.traceTasks?.map((t) => ({ ...t, start: rel(t.start), phase: phaseOf(t.start, t.duration) })).sort((a, b) => b.duration - a.duration);
  const progress = m.worker.filter((w) => w.what.startsWith("receive progress") && w.at >= fitClick);
  return {
    rows: ROWS,
    groups: GROUPS,
    formula: opts.formula,
    readMs: rangeShown - selClick,
    readExcelMs: readRun.end - readRun.start,
    readSyncs: readRun.syncs,
    cellsRead: readRun.cellsRead,
    readFakeMs: readRun.fakeMs,
    convertMs: rangeShown - readRun.end,
    postMs: post.ms,
    workerRoundTripMs: done.at - post.at,
    workerFitMs: done.elapsedMs,
    receiveDoneMs: done.ms,
    doneToWriteMs: writeRun.start - done.at,
    writeMs: writeRun.end - writeRun.start,
    writeSyncs: writeRun.syncs,
    cellsWritten: writeRun.cellsWritten,
    formatsWritten: writeRun.formatsWritten,
    writeFakeMs: writeRun.fakeMs,
    showMs: result - writeRun.end,
    fitClickToDoneMs: result - fitClick,
    totalMs: rangeShown - selClick + (result - fitClick),
    progressMessages: progress.length,
    longTaskObserver: m.longTaskObserver,
    longestTaskMs: longTasks[0]?.duration ?? 0,
    longTasks,
    frames: m.frames,
    runMs: m.t1 - m.t0,
    longestFrameGapMs: m.maxGap,
    gaps,
    topFunctions: m.topFunctions,
    traced,
    resultText: m.resultText,
    againFitMs: paneElapsed(m.againText),
    firstPaneFitMs: paneElapsed(m.resultText),
    check: m.check,
    errors: m.errors,
  };
}

const ms = (x) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
/** The worker's fit time as the pane shows it ("…, 349 ms." or "…, 1.2 s."), in ms. */
function paneElapsed(text) {
  const hit = /,\s*([0-9.]+)\s*(ms|s)\.\s*Created/.exec(text.replace(/\s+/g, " "));
  return hit ? Number(hit[1]) * (hit[2] === "s" ? 1000 : 1) : NaN;
}
const int = (x) => x.toLocaleString("en-US");

function report(a) {
  const lines = [];
  const row = (label, value, note = "") => lines.push(`  ${label.padEnd(46)} ${String(value).padStart(8)} ms${note ? `   ${note}` : ""}`);
  lines.push(`HLM task pane${RUNS > 1 ? ` (the last of ${RUNS} runs)` : ""}, ${int(a.rows)} rows × 4 columns, ${int(a.groups)} groups, '${a.formula}' (headless Chromium, fake Excel)`);
  lines.push("");
  lines.push("  phase                                                 time");
  row("Use selection → range shown", ms(a.readMs));
  row("  read the range (Excel.run, fake Excel)", ms(a.readExcelMs), `${a.readSyncs} context.sync, ${int(a.cellsRead)} cells read; the fake's own copying ${ms(a.readFakeMs)} ms`);
  row("  cells → table, render", ms(a.convertMs), "rangeToTable (in the worker), the pane's render");
  row("Fit click → result shown", ms(a.fitClickToDoneMs));
  row("  post the request to the worker", ms(a.postMs), "structured clone of the table, main thread");
  row("  worker: build, fit, result tables", ms(a.workerFitMs), "runFit's own clock");
  row("  worker start-up and messages", ms(a.workerRoundTripMs - a.workerFitMs), `post → 'done' minus the fit; ${a.progressMessages} progress messages`);
  row("  read the 'done' message", ms(a.receiveDoneMs), "deserialize the result tables, main thread");
  row("  'done' → writing starts", ms(a.doneToWriteMs));
  row("  write the result sheets (Excel.run, fake Excel)", ms(a.writeMs), `${a.writeSyncs} context.sync, ${int(a.cellsWritten)} cells + ${int(a.formatsWritten)} number formats; the fake's own copying ${ms(a.writeFakeMs)} ms`);
  row("  written → result shown", ms(a.showMs));
  row("Total (selection click → range, Fit click → done)", ms(a.totalMs), "without the time the script takes to type the formula");
  lines.push("");
  lines.push(`  UI responsiveness over the ${ms(a.runMs)} ms run (${int(a.frames)} animation frames):`);
  if (!a.longTaskObserver) lines.push("    (this Chromium has no 'longtask' entries; the frame gaps stand in for them)");
  lines.push(
    `    longest main-thread task ${a.longTasks.length > 0 ? `${ms(a.longestTaskMs)} ms` : "under 50 ms (the longtask API reports none)"}; longest gap between frames ${ms(a.longestFrameGapMs)} ms`,
  );
  const over = a.longTasks.filter((t) => t.duration > 50);
  if (over.length === 0) lines.push("    no main-thread task over 50 ms");
  else {
    lines.push(`    main-thread tasks over 50 ms (${over.length}):`);
    for (const t of over) lines.push(`      ${ms(t.duration).padStart(7)} ms at +${ms(t.start)} ms (${t.phase})`);
  }
  const gaps = a.gaps.filter((g) => g.duration > 50);
  if (gaps.length > 0) {
    lines.push(`    frame gaps over 50 ms (${gaps.length}):`);
    for (const g of gaps.slice(0, 15)) lines.push(`      ${ms(g.duration).padStart(7)} ms at +${ms(g.start)} ms (${g.phase})`);
    if (gaps.length > 15) lines.push(`      … and ${gaps.length - 15} more`);
  }
  if (a.traced) {
    lines.push("");
    lines.push(`  main-thread tasks over 50 ms in the trace (${a.traced.length}), what they spent the time on:`);
    for (const t of a.traced) {
      const what = [t.events.length > 0 ? `events ${t.events.join(", ")}` : "", t.timers ? "timer" : ""].filter(Boolean).join("; ");
      lines.push(`    ${ms(t.duration).padStart(7)} ms at +${ms(t.start)} ms (${t.phase}): script ${ms(t.script)}, style/layout/paint ${ms(t.layout)}, GC ${ms(t.gc)} ms${what ? `; ${what}` : ""}`);
    }
  }
  if (a.topFunctions) {
    lines.push("");
    lines.push("  main thread, top functions by self time (CPU profile):");
    for (const [name, t] of a.topFunctions) lines.push(`    ${ms(t).padStart(7)} ms  ${name}`);
  }
  lines.push("");
  lines.push(`  pane: ${a.resultText.replace(/\s+/g, " ").trim().replace(/^Fitted(?=\d)/, "Fitted: ")}`);
  lines.push(`  the same fit again in the same worker (a session's later fits): ${ms(a.againFitMs)} ms in the worker, against ${ms(a.firstPaneFitMs)} ms for the first`);
  const fe = Object.entries(a.check.fixef).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ");
  lines.push(`  sheets: fixed effects ${fe} (simulated 10, 2, 0.5); ${int(a.check.groupRows)} group rows in HLM Random Effects`);
  if (a.errors.length > 0) lines.push(`  page errors: ${a.errors.join("; ")}`);
  lines.push("");
  lines.push("  Note: the workbook is an in-page fake (test/e2e/fakeExcel.js). Its read and write times are not Excel's:");
  lines.push("  real Excel answers each context.sync with a round trip to its own process (or, on the web, its server),");
  lines.push("  a cost that cannot be measured here; count it per sync above. The worker and main-thread times are real.");
  return lines.join("\n");
}

const results = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const a = analyse(await run(i));
    results.push(a);
    if (RUNS > 1)
      console.log(
        `run ${i + 1}/${RUNS}: read ${ms(a.readMs)} ms, fit click → done ${ms(a.fitClickToDoneMs)} ms (worker ${ms(a.workerFitMs)}, write ${ms(a.writeMs)}), longest task ${a.longTasks.length > 0 ? `${ms(a.longestTaskMs)} ms` : "< 50 ms"}, longest frame gap ${ms(a.longestFrameGapMs)} ms`,
      );
  }
} finally {
  await browser.close();
  await new Promise((r) => server.close(r));
  rmSync(userDataDir, { recursive: true, force: true });
}
/** Median, min and max of each headline number over the runs. */
function summary(all) {
  const stat = (f) => {
    const v = all.map(f).sort((x, y) => x - y);
    return `${ms(v[Math.floor((v.length - 1) / 2)])} ms (${ms(v[0])} – ${ms(v.at(-1))})`;
  };
  const lines = [`  over ${all.length} runs, median (min – max):`];
  const row = (label, f) => lines.push(`    ${label.padEnd(44)} ${stat(f)}`);
  row("Use selection → range shown", (a) => a.readMs);
  row("  read the range (fake Excel)", (a) => a.readExcelMs);
  row("  cells → table, render", (a) => a.convertMs);
  row("Fit click → result shown", (a) => a.fitClickToDoneMs);
  row("  post the request to the worker", (a) => a.postMs);
  row("  worker: build, fit, result tables", (a) => a.workerFitMs);
  row("  the same fit again, same worker", (a) => a.againFitMs);
  row("  write the result sheets (fake Excel)", (a) => a.writeMs);
  row("Total", (a) => a.totalMs);
  row("longest main-thread task (0: none over 50)", (a) => (a.longTasks.length > 0 ? a.longestTaskMs : 0));
  row("longest gap between frames", (a) => a.longestFrameGapMs);
  const over = all.filter((a) => a.longTasks.length > 0).length;
  lines.push(`    runs with a main-thread task over 50 ms: ${over} of ${all.length}`);
  return lines.join("\n");
}

const last = results.at(-1);
console.log(report(last));
if (results.length > 1) console.log(`\n${summary(results)}`);
if (opts.screenshot) console.log(`\n  screenshot: ${opts.screenshot}`);
if (opts.profile) console.log(`  CPU profile: ${opts.profile} (open in Chrome DevTools → Performance)`);
if (opts.trace) console.log(`  trace: ${opts.trace} (open in Chrome DevTools → Performance)`);
if (opts.json) {
  writeFileSync(opts.json, JSON.stringify(RUNS > 1 ? results : last, null, 2));
  console.log(`  measurements: ${opts.json}`);
}
