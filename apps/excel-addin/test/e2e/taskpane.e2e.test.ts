/**
 * The task pane end to end, in real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) against an in-page fake of the Excel calls the add-in makes (`fakeExcel.js`):
 * the built `dist/` is served from 127.0.0.1, Office.js from the CDN is blocked (the pane starts
 * without it), and every request off the test server is refused.
 *
 * - sleepstudy: select the range, build `Reaction ~ Days + (Days | Subject)` with the pickers, fit,
 *   and read the three new sheets of the fake workbook (fixed effects = lme4's within 1e-6).
 * - a formula typo: the message and the marked position under the formula, Fit disabled; an error
 *   from the fit (in the worker) as one sentence in a MessageBar.
 * - a long fit (hsb, SES ticked categorical, crossed School × MEANSES: ~20 s) cancelled: "cancelled", no sheet written;
 *   once on a cross-origin isolated page (the worker sees the shared cancel flag and stops), once on a
 *   page that is not (the pane terminates the worker after 2 s), then a new fit on the fresh worker.
 *
 * - a longitudinal model (Ovary, nlme's corAR1() by ML) from the Residuals card: nlme's text under
 *   the choices, Phi and the log-likelihood as nlme has them in the pane and on `HLM Summary` (its
 *   correlation structure and within-group covariance sections, nlme's containment df); a choice
 *   that cannot be fitted says why under the choice, and an error from the engine names the cell.
 * - a generalized linear mixed model (cbpp, Binomial, probit, successes of trials): the family picker
 *   open, the formula `cbind(incidence, size - incidence) ~ …` from the pickers, the Residuals card
 *   and REML disabled with the reason, quadrature disabled for two random terms with the reason, and
 *   glmer's estimates on `HLM Summary`; two glmer models of cbpp compared (lme4's anova: Chisq, Df,
 *   Pr(>Chisq) as R has them on `HLM Comparison`), and models on different rows refused in one sentence.
 * - bad input: text in a numeric column, an Excel error in a cell, an empty selection, a whole-column
 *   selection with blank rows at the bottom: one sentence in the pane that names the cell as the sheet
 *   counts it, and nothing written.
 * - nothing lost: every change the fake workbook carries out is on a sheet the add-in added; a
 *   cancelled fit leaves the workbook exactly as it was (every sheet, cell, format, the active sheet).
 * - nothing let in: every request the page and its worker make is recorded (`page.on("request")`,
 *   which also reports the worker's; a probe fetch from inside the worker shows it) and goes to the
 *   test server's own origin, but for Office.js from Microsoft's CDN, which the route blocks; the
 *   server sends the page's Content-Security-Policy as a header too, so that it covers the worker,
 *   and both the page and the worker refuse eval.
 *
 * Screenshots of the pane (350 × 900) go to test/e2e/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fit } from "@hlm/core";
import { rangeToTable } from "../../src/common/rangeToTable.js";
import { csvToRange, datasetRange, glmmDatasetRange, loadNlmeReference, loadReference, nlmeDatasetRange } from "../conformanceRange.js";
import { serveDist } from "./serveDist.mjs";

const CHROMIUM = process.env["HLM_CHROMIUM"] ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`\n[e2e] SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's browser (apt-get install -y chromium) to run the task pane end-to-end test.\n`);
}

const appDir = new URL("../../", import.meta.url).pathname;
const distDir = join(appDir, "dist");
const shotDir = new URL("./screenshots/", import.meta.url).pathname;
const fakeScript = readFileSync(new URL("./fakeExcel.js", import.meta.url), "utf8");
const OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";

interface FakeSheet {
  name: string;
  values: unknown[][];
  numberFormats: { address: string; format: unknown }[];
  tables: { address: string; hasHeaders: boolean; name: string; style: string }[];
  charts: { type: string; source: string; seriesBy: string; title: string | null; position: string | null }[];
  autofit: string[];
}

describe.skipIf(!haveChromium)("task pane end to end (headless Chromium, fake Excel)", () => {
  let browser: BrowserContext;
  let userDataDir: string;
  let isolated: { server: Server; origin: string };
  let plain: { server: Server; origin: string };
  const sleep = datasetRange("sleepstudy");
  const hsb = datasetRange("hsb");

  beforeAll(async () => {
    if (!existsSync(join(distDir, "taskpane.html")))
      throw new Error("dist/taskpane.html is missing: build the pane first (npx vite build in apps/excel-addin).");
    mkdirSync(shotDir, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), "hlm-e2e-chromium-"));
    isolated = await serveDist(distDir, true);
    plain = await serveDist(distDir, false);
    // a persistent context on a fresh user-data-dir; each test opens its own page in it
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 350, height: 900 },
      deviceScaleFactor: 1,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => isolated?.server.close(r));
    await new Promise((r) => plain?.server.close(r));
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Every request of a page and its workers: URL, resource type, and the failure if it failed. */
  interface Recorded {
    url: string;
    type: string;
    failure: string | null;
  }
  const requestsOf = new WeakMap<Page, Recorded[]>();

  /** Opens the pane at task-pane size with the fake workbook; records every request it makes. */
  async function openPane(
    origin: string,
    setup: { sheets: { name: string; values: unknown[][] }[]; active?: string; selection?: { sheet: string; address: string } },
  ): Promise<Page> {
    const page = await browser.newPage();
    const requests: Recorded[] = [];
    requestsOf.set(page, requests);
    const records = new Map<object, Recorded>();
    page.on("request", (r) => {
      const rec = { url: r.url(), type: r.resourceType(), failure: null };
      records.set(r, rec);
      requests.push(rec);
    });
    page.on("requestfailed", (r) => {
      const rec = records.get(r);
      if (rec) rec.failure = r.failure()?.errorText ?? "failed";
    });
    await page.route("**/*", (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort("blockedbyclient")));
    await page.addInitScript({ content: `${fakeScript}\ninstallFakeExcel(${JSON.stringify(setup)});` });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && /Content.Security.Policy/i.test(m.text())) errors.push(m.text());
    });
    await page.goto(`${origin}/taskpane.html`);
    await page.getByRole("button", { name: "Use selection" }).waitFor({ timeout: 30_000 });
    (page as Page & { hlmErrors?: string[] }).hlmErrors = errors;
    return page;
  }

  /** A screenshot once Fluent's transitions (100-200 ms) have settled. */
  async function shot(page: Page, name: string): Promise<void> {
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage: false });
  }

  /** Picks options of a Fluent Dropdown (a multiselect one lists them as menu item checkboxes, and stays open). */
  async function pick(page: Page, combobox: string, options: string[], multi = false): Promise<void> {
    await page.getByRole("combobox", { name: combobox }).click();
    for (const o of options) await page.getByRole(multi ? "menuitemcheckbox" : "option", { name: o, exact: true }).click();
    if (multi) await page.keyboard.press("Escape");
  }

  const fakeSheet = (page: Page, name: string): Promise<FakeSheet | null> =>
    page.evaluate((n) => (globalThis as unknown as { __hlmFake: { sheet(n: string): FakeSheet | null } }).__hlmFake.sheet(n), name);
  const addedSheets = (page: Page): Promise<string[]> =>
    page.evaluate(() => (globalThis as unknown as { __hlmFake: { addedSheets(): string[] } }).__hlmFake.addedSheets());
  type Change = { sheet: string; added: boolean; kind: string };
  const changes = (page: Page): Promise<Change[]> => page.evaluate(() => (globalThis as unknown as { __hlmFake: { changes(): Change[] } }).__hlmFake.changes());
  const snapshot = (page: Page): Promise<unknown> => page.evaluate(() => (globalThis as unknown as { __hlmFake: { snapshot(): unknown } }).__hlmFake.snapshot());

  /** Every request went to the page's own origin, but Office.js from its CDN, which was blocked. */
  function expectOwnOriginOnly(page: Page, origin: string): Recorded[] {
    const requests = requestsOf.get(page)!;
    const foreign = requests.filter((r) => !r.url.startsWith(`${origin}/`));
    expect(foreign.map((r) => r.url)).toEqual([OFFICE_JS]);
    expect(foreign[0]!.failure).toMatch(/ERR_BLOCKED_BY_CLIENT/);
    return requests;
  }

  it("fits sleepstudy from the pickers and writes the result sheets (summary with inference, random effects, shrinkage, diagnostics) with lme4's numbers", async () => {
    const page = await openPane(isolated.origin, {
      sheets: [{ name: "Sleep", values: sleep }],
      active: "Sleep",
      selection: { sheet: "Sleep", address: "A1:C181" },
    });
    expect(await page.evaluate(() => typeof (globalThis as { Office?: unknown }).Office)).toBe("undefined"); // the CDN is blocked: the pane started anyway

    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("Sleep!A1:C181");
    expect(await page.getByTestId("range-info").textContent()).toContain("180 rows · 3 columns");

    await pick(page, "Response", ["Reaction"]);
    await pick(page, "Fixed effects", ["Days"], true);
    await pick(page, "Grouping factor", ["Subject"]);
    await pick(page, "Random slopes", ["Days"], true);
    const formula = page.getByRole("textbox", { name: "Formula" });
    expect(await formula.inputValue()).toBe("Reaction ~ Days + (Days | Subject)");
    await expect.poll(() => page.getByText("Formula reads well.").count()).toBe(1);
    await shot(page, "01-before-fit");

    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    await shot(page, "04-after-success");
    expect(await page.getByTestId("sheet-names").textContent()).toBe("HLM SummaryHLM Random EffectsHLM ShrinkageHLM Diagnostics");
    expect(await addedSheets(page)).toEqual(["HLM Summary", "HLM Random Effects", "HLM Shrinkage", "HLM Diagnostics"]);

    // HLM Summary: the fixed effects equal lme4's
    const ref = loadReference("sleepstudy_slopes_reml");
    const summary = (await fakeSheet(page, "HLM Summary"))!;
    const rowOf = (label: string): unknown[] => summary.values.find((r) => r[0] === label)!;
    expect(rowOf("Term")).toEqual(["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]);
    for (const [name, value] of Object.entries(ref.fixef)) {
      const row = rowOf(name);
      expect(row, name).toBeDefined();
      expect(Math.abs((row[1] as number) - value) / Math.abs(value)).toBeLessThan(1e-6);
      expect(Math.abs((row[2] as number) - ref.se[name]!) / ref.se[name]!).toBeLessThan(1e-4);
    }
    expect(rowOf("Method")).toEqual(["Method", "REML"]);
    expect(rowOf("Data")).toEqual(["Data", "Sleep!A1:C181"]);
    expect(rowOf("Observations")[1]).toBe(180);
    // after the fixed effects: lmerTest's type III test of Days (F = t²) and performance's ICC and R²
    expect(summary.values.find((r) => r[1] === "Sum Sq")!.slice(0, 7)).toEqual(["Term", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"]);
    const days = summary.values.filter((r) => r[0] === "Days");
    const t = ref.fixef["Days"]! / ref.se["Days"]!;
    expect(days.some((r) => r[3] === 1 && Math.abs((r[5] as number) - t * t) < 0.01 * t * t)).toBe(true);
    for (const m of ["ICC (adjusted)", "ICC (unadjusted)", "Marginal R2", "Conditional R2"]) {
      const v = rowOf(m)[1] as number;
      expect(v > 0 && v < 1, m).toBe(true);
    }
    expect(summary.tables.length).toBeGreaterThanOrEqual(7);
    expect(summary.autofit.length).toBeGreaterThan(0);
    expect(summary.numberFormats.length).toBeGreaterThan(0);

    // HLM Random Effects: a row per subject; HLM Shrinkage: a row per subject and the scatter chart
    const re = (await fakeSheet(page, "HLM Random Effects"))!;
    const reHeader = re.values.findIndex((r) => r[0] === "Subject" && r[1] === "ranef (Intercept)");
    expect(reHeader).toBeGreaterThanOrEqual(0);
    const firstLevel = ref.ranef[0]!.levels[0]!;
    const level = re.values.find((r) => String(r[0]) === firstLevel)!;
    expect(Math.abs((level[1] as number) - ref.ranef[0]!.values[0]![0]!)).toBeLessThan(1e-4);
    const shrink = (await fakeSheet(page, "HLM Shrinkage"))!;
    const shHeader = shrink.values.findIndex((r) => r[0] === "Subject" && r[1] === "n");
    expect(shrink.values.slice(shHeader + 1).filter((r) => r[0] !== "" && typeof r[1] === "number")).toHaveLength(18);
    expect(shrink.charts).toHaveLength(1);
    expect(shrink.charts[0]!.type).toBe("XYScatter");

    // the data sheet is untouched: every change the workbook saw was on a sheet the add-in added
    expect((await fakeSheet(page, "Sleep"))!.values).toEqual(sleep);
    const log = await changes(page);
    expect(log.length).toBeGreaterThan(20);
    expect(log.filter((c) => !c.added)).toEqual([]);
    expect(new Set(log.map((c) => c.sheet))).toEqual(new Set(["HLM Summary", "HLM Random Effects", "HLM Shrinkage", "HLM Diagnostics"]));

    // HLM Diagnostics: a row per observation (fitted + residual = the response), and the three kinds of
    // scatter chart with their data ranges (the fake records the charts; it does not draw them)
    const diag = (await fakeSheet(page, "HLM Diagnostics"))!;
    expect(diag.values[1]!.slice(0, 5)).toEqual(["Row", "Fitted", "Residual", "Normal quantile", "Scaled residual"]);
    expect(diag.values[2]![0]).toBe(2); // the sheet row of the first observation
    expect(Math.abs((diag.values[2]![1] as number) + (diag.values[2]![2] as number) - (sleep[1]![0] as number))).toBeLessThan(1e-9);
    expect(diag.charts.map((c) => [c.type, c.source, c.title])).toEqual([
      ["XYScatter", "'HLM Diagnostics'!B2:C182", "Residuals against fitted values"],
      ["XYScatter", "'HLM Diagnostics'!D2:E182", "Normal QQ plot of the scaled residuals"],
      ["XYScatter", "'HLM Diagnostics'!H2:I20", "Normal QQ plot of the BLUPs: (Intercept) | Subject"],
      ["XYScatter", "'HLM Diagnostics'!L2:M20", "Normal QQ plot of the BLUPs: Days | Subject"],
    ]);

    // every request: the page, its bundle, functions.js, the worker, all from the test server; Office.js blocked
    const requests = expectOwnOriginOnly(page, isolated.origin);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(
      expect.arrayContaining(["/taskpane.html", "/functions.js", expect.stringMatching(/^\/assets\/taskpane-.*\.js$/), expect.stringMatching(/^\/assets\/fitWorker-.*\.js$/)]),
    );
    // no uncaught error and no Content-Security-Policy violation (functions.js, when built, loads too)
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    if (existsSync(join(distDir, "functions.js"))) expect(await page.evaluate(() => document.querySelectorAll('script[src="functions.js"]').length)).toBe(1);
    await page.close();
  });

  it("fits a warehouse's sums (the result of HLM.SQL's query) selected in the sheet: summary, random effects and shrinkage as from the rows", async () => {
    const sums = csvToRange(readFileSync(new URL("../fixtures/hsb_sums.csv", import.meta.url), "utf8"));
    const page = await openPane(isolated.origin, { sheets: [{ name: "Sums", values: sums }], active: "Sums", selection: { sheet: "Sums", address: "A1:P165" } });
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("Sums!A1:P165");
    expect(await page.getByTestId("range-info").textContent()).toContain("a warehouse's sums");
    const formula = page.getByRole("textbox", { name: "Formula" });
    await formula.fill("MathAch ~ SES * Sector + (SES | School)");
    await expect.poll(() => page.getByText("Formula reads well.").count()).toBe(1);
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    await shot(page, "15-warehouse-sums");
    expect(await page.getByTestId("sheet-names").textContent()).toBe("HLM SummaryHLM Random EffectsHLM Shrinkage");
    // the fixed effects of the fit from the rows (hsb.csv in memory), to the optimizer's tolerance
    const fromRows = fit(rangeToTable(hsb), "MathAch ~ SES * Sector + (SES | School)");
    const summary = (await fakeSheet(page, "HLM Summary"))!;
    fromRows.fixefNames.forEach((name, i) => {
      const row = summary.values.find((r) => r[0] === name)!;
      expect(Math.abs((row[1] as number) - fromRows.fixef[i]!), name).toBeLessThan(1e-3 * fromRows.se[i]!);
    });
    expect(summary.values.find((r) => r[0] === "Observations")![1]).toBe(7185);
    const re = (await fakeSheet(page, "HLM Random Effects"))!;
    expect(re.values.filter((r) => typeof r[1] === "number")).toHaveLength(160);
    // the effect sizes from the rows' moments, the shrinkage table from each school's sums
    expect(summary.values.some((r) => r[0] === "ICC (adjusted)" && typeof r[1] === "number")).toBe(true);
    const shrinkage = (await fakeSheet(page, "HLM Shrinkage"))!;
    expect(shrinkage.values.filter((r) => typeof r[1] === "number" && typeof r[2] === "number")).toHaveLength(160);
    expect((await fakeSheet(page, "Sums"))!.values).toEqual(sums);
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    await page.close();
  });

  it("compares two models (lme4's anova) in the worker and writes the HLM Comparison sheet", async () => {
    const page = await openPane(isolated.origin, { sheets: [{ name: "Sleep", values: sleep }], active: "Sleep", selection: { sheet: "Sleep", address: "A1:C181" } });
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("Sleep!A1:C181");
    await page.getByRole("textbox", { name: "Formula" }).fill("Reaction ~ Days + (1 | Subject)");
    expect(await page.getByRole("button", { name: "Compare models" }).count()).toBe(0); // no model to compare with yet
    await page.getByRole("button", { name: "Add model" }).click();
    const m1 = page.getByRole("textbox", { name: "Model m1 formula" });
    expect(await m1.inputValue()).toBe("Reaction ~ Days + (1 | Subject)"); // a copy of the formula to edit
    await m1.fill("Reaction ~ Days + (Dayz | Subject)");
    await page.getByTestId("model-error-1").waitFor();
    expect(await page.getByTestId("model-error-1").textContent()).toContain("Unknown column 'Dayz'");
    expect(await page.getByRole("button", { name: "Compare models" }).isDisabled()).toBe(true);
    await m1.fill("Reaction ~ Days + (Days | Subject)");
    await expect.poll(() => page.getByRole("button", { name: "Compare models" }).isDisabled()).toBe(false);
    await shot(page, "10-compare-models");

    await page.getByRole("button", { name: "Compare models" }).click();
    await page.getByTestId("comparison").waitFor({ timeout: 60_000 });
    await shot(page, "11-comparison-done");
    expect(await page.getByTestId("comparison-sheet").textContent()).toBe("HLM Comparison");
    expect(await page.getByTestId("comparison-tests").textContent()).toMatch(/^m1 vs m0: χ²\(2\) = 42\.14, p = /);
    expect(await page.getByTestId("comparison").textContent()).toContain("refitting model(s) with ML (instead of REML)");
    expect(await addedSheets(page)).toEqual(["HLM Comparison"]);

    // lme4: anova(fm0, fm1) on sleepstudy: npar 4 and 6, logLik -897.04 and -875.97, Chisq 42.139 on 2 df
    const sheet = (await fakeSheet(page, "HLM Comparison"))!;
    const rowOf = (label: string): unknown[] => sheet.values.find((r) => r[0] === label && typeof r[1] === "number")!;
    expect(sheet.values.find((r) => r[0] === "Model" && r[1] === "npar")).toEqual(["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"]);
    expect(rowOf("m0").slice(0, 2)).toEqual(["m0", 4]);
    expect(rowOf("m1").slice(0, 2)).toEqual(["m1", 6]);
    expect(Math.abs((rowOf("m0")[4] as number) + 897.04)).toBeLessThan(0.01);
    expect(Math.abs((rowOf("m1")[4] as number) + 875.97)).toBeLessThan(0.01);
    expect(Math.abs((rowOf("m1")[6] as number) - 42.139)).toBeLessThan(0.001);
    expect(rowOf("m1")[7]).toBe(2);
    expect(sheet.values.some((r) => r[0] === "refitting model(s) with ML (instead of REML)")).toBe(true);
    expect(sheet.tables).toHaveLength(3);

    const log = await changes(page);
    expect(log.filter((c) => !c.added)).toEqual([]);
    expect(new Set(log.map((c) => c.sheet))).toEqual(new Set(["HLM Comparison"]));
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    await page.close();
  });

  it("fits a longitudinal model with AR(1) residuals from the Residuals card (Ovary, nlme's corAR1() by ML)", async () => {
    const ovaryRef = loadNlmeReference("ovary_ar1_ml");
    const ovary = nlmeDatasetRange("Ovary");
    const page = await openPane(isolated.origin, { sheets: [{ name: "Ovary", values: ovary }], active: "Ovary", selection: { sheet: "Ovary", address: "A1:E309" } });
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("Ovary!A1:E309");
    await pick(page, "Response", ["follicles"]);
    await pick(page, "Fixed effects", ["s1", "c1"], true);
    await pick(page, "Grouping factor", ["Mare"]);
    expect(await page.getByRole("textbox", { name: "Formula" }).inputValue()).toBe("follicles ~ s1 + c1 + (1 | Mare)");
    await page.getByRole("radio", { name: "Maximum likelihood" }).check();

    // the card: no structure yet, then AR(1) in the rows' order, nlme's text under the choices
    const card = page.getByRole("region", { name: "Residuals" });
    expect(await card.getByTestId("residual-text").count()).toBe(0);
    await pick(page, "Correlation", ["AR(1)"]);
    expect(await page.getByRole("combobox", { name: "Time (whole numbers)" }).textContent()).toContain("Row order");
    expect(await card.getByTestId("residual-text").textContent()).toBe("correlation = corAR1(form = ~ 1 | Mare)");
    await card.getByRole("radio", { name: "Containment (nlme)" }).check();
    await card.scrollIntoViewIfNeeded();
    await shot(page, "12-residuals-ar1");

    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    // nlme: Phi 0.5975, logLik -776.517
    const line = (await page.getByTestId("result-structure").textContent())!;
    expect(line).toMatch(/^AR\(1\): Phi = 0\.59\d\d$/);
    expect(Math.abs(Number(line.split("= ")[1]) - ovaryRef.cor_params!["Phi"]!)).toBeLessThan(1e-3);
    await page.getByTestId("result").scrollIntoViewIfNeeded();
    await shot(page, "13-residuals-fitted");

    const summary = (await fakeSheet(page, "HLM Summary"))!;
    const rowOf = (label: string): unknown[] => summary.values.find((r) => r[0] === label)!;
    expect(rowOf("Correlation").slice(0, 2)).toEqual(["Correlation", "corAR1(form = ~ 1 | Mare)"]);
    expect(rowOf("Method").slice(0, 2)).toEqual(["Method", "Maximum likelihood"]);
    expect(Math.abs((rowOf("Phi")[1] as number) - ovaryRef.cor_params!["Phi"]!)).toBeLessThan(1e-3);
    const statsAt = summary.values.findIndex((r) => r[0] === "AIC" && r[2] === "logLik");
    expect(Math.abs((summary.values[statsAt + 1]![2] as number) - ovaryRef.logLik)).toBeLessThan(1e-3);
    expect(summary.values.some((r) => r[0] === "Correlation structure: AR(1), ~1 | Mare")).toBe(true);
    // nlme's t-table: 295 df for each fixed effect, its standard errors
    const fixedAt = summary.values.findIndex((r) => r[0] === "Fixed effects (nlme's containment df)");
    expect(fixedAt).toBeGreaterThan(0);
    for (const r of summary.values.slice(fixedAt + 2, fixedAt + 5)) {
      expect(r[3], String(r[0])).toBe(295);
      expect(Math.abs((r[2] as number) - ovaryRef.se[r[0] as string]!)).toBeLessThan(1e-3 * ovaryRef.se[r[0] as string]!);
    }
    // the first mare's 29 × 29 covariance, labelled by sheet row, its own Excel table
    const covAt = summary.values.findIndex((r) => r[0] === "Within-group covariance (marginal): Mare 1");
    const header = summary.values[covAt + 1]!;
    expect(header.slice(0, 3)).toEqual(["Row", "Row 2", "Row 3"]);
    expect(header.filter((c) => typeof c === "string" && c.startsWith("Row ")).length).toBe(29);
    expect(Math.abs((summary.values[covAt + 2]![1] as number) - ovaryRef.marginal_cov.matrix[0]![0]!)).toBeLessThan(1e-2);
    expect(summary.tables.map((t) => t.address.replace(/^.*!/, ""))).toContain(`A${covAt + 2}:AD${covAt + 31}`);

    // a choice that cannot be fitted: said under it, and Fit waits for it
    await pick(page, "Correlation", ["Continuous-time AR(1)"]);
    expect(await card.getByText("Choose the time column.").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Fit model" }).isDisabled()).toBe(true);
    await card.scrollIntoViewIfNeeded();
    await shot(page, "14-residuals-needs-time");
    // AR(1) by a time that is not whole numbers: the engine's sentence, with the sheet's cell
    await pick(page, "Correlation", ["AR(1)"]);
    await pick(page, "Time (whole numbers)", ["Time"]);
    expect(await card.getByTestId("residual-text").textContent()).toBe("correlation =\n  corAR1(form = ~ Time | Mare)"); // too wide for one line of the pane
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("fit-error").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("fit-error").textContent()).toMatch(/^corAR1's covariate 'Time' must hold whole numbers \(positions in time\), but row 2 \(cell B2\) holds -0\.1363636; use corCAR1 for continuous times\.$/);
    await shot(page, "15-residuals-error");
    // variances per group of a column: the column asked for, then nlme's weights = varIdent(...)
    await pick(page, "Variances", ["Per group of a column (varIdent)"]);
    expect(await card.getByText("Choose the column whose groups get their own variance.").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Fit model" }).isDisabled()).toBe(true);
    await pick(page, "Groups of", ["Mare"]);
    expect(await card.getByTestId("residual-text").textContent()).toBe("correlation =\n  corAR1(form = ~ Time | Mare)\nweights = varIdent(form = ~ 1 | Mare)");
    expect(await page.getByRole("button", { name: "Fit model" }).isDisabled()).toBe(false);
    await card.scrollIntoViewIfNeeded();
    await shot(page, "16-residuals-variance");
    // the list of correlation structures, open over the card; compound symmetry needs no column
    await page.getByRole("combobox", { name: "Correlation" }).click();
    await shot(page, "17-residuals-choices");
    await page.getByRole("option", { name: "Compound symmetry", exact: true }).click();
    expect(await page.getByRole("combobox", { name: "Time (whole numbers)" }).count()).toBe(0);
    expect(await card.getByTestId("residual-text").textContent()).toBe("correlation =\n  corCompSymm(form = ~ 1 | Mare)\nweights = varIdent(form = ~ 1 | Mare)");
    await shot(page, "18-residuals-compsymm");
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    await page.close();
  });

  it("fits a generalized linear mixed model: Binomial with the probit link, successes of trials (cbpp, lme4's glmer)", async () => {
    const cbpp = glmmDatasetRange("cbpp");
    const page = await openPane(isolated.origin, { sheets: [{ name: "cbpp", values: cbpp }], active: "cbpp", selection: { sheet: "cbpp", address: "A1:D57" } });
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("cbpp!A1:D57");
    // period holds the numbers 1 to 4: a factor, as in lme4's cbpp
    await page.getByTestId("categorical").getByRole("checkbox", { name: "period", exact: true }).check();

    // the family picker, open: Normal (the default), Binomial, Poisson
    await page.getByRole("combobox", { name: "Family" }).click();
    await page.getByRole("option", { name: "Binomial: yes/no, successes of trials" }).waitFor();
    expect(await page.getByRole("option").allTextContents()).toEqual(["Normal: linear mixed model", "Binomial: yes/no, successes of trials", "Poisson: counts"]);
    await shot(page, "20-glmm-family-open");
    await page.getByRole("option", { name: "Binomial: yes/no, successes of trials" }).click();

    // the binomial's links; the response as successes of trials
    await page.getByRole("combobox", { name: "Link" }).click();
    expect(await page.getByRole("option").allTextContents()).toEqual(["logit", "probit", "cloglog"]);
    await page.getByRole("option", { name: "probit" }).click();
    await page.getByRole("radio", { name: "Successes and trials columns" }).check();
    await pick(page, "Successes", ["incidence"]);
    await pick(page, "Trials", ["size"]);
    await pick(page, "Fixed effects", ["period"], true);
    await pick(page, "Grouping factor", ["herd"]);
    const formula = page.getByRole("textbox", { name: "Formula" });
    expect(await formula.inputValue()).toBe("cbind(incidence, size - incidence) ~ period + (1 | herd)");
    expect(await page.getByTestId("glmer-text").textContent()).toBe('family = binomial(link = "probit")');
    // what does not apply to a GLMM says why; quadrature is there for one random intercept
    expect(await page.getByTestId("residuals-disabled").textContent()).toContain("Does not apply to a binomial model");
    expect(await page.getByRole("combobox", { name: "Correlation" }).isDisabled()).toBe(true);
    expect(await page.getByRole("radio", { name: "REML" }).isDisabled()).toBe(true);
    expect(await page.getByRole("spinbutton", { name: "Points of quadrature" }).isDisabled()).toBe(false);
    await formula.fill("cbind(incidence, size - incidence) ~ period + (1 | herd) + (1 | period)");
    await page.getByTestId("nagq-blocked").waitFor();
    expect(await page.getByTestId("nagq-blocked").textContent()).toBe("1, the Laplace approximation. More points need a single random-effects term, such as (1 | group); the formula has 2.");
    expect(await page.getByRole("spinbutton", { name: "Points of quadrature" }).isDisabled()).toBe(true);
    await shot(page, "21-glmm-quadrature-blocked");
    await formula.fill("cbind(incidence, size - incidence) ~ period + (1 | herd)");
    await expect.poll(() => page.getByTestId("nagq-blocked").count()).toBe(0);
    await shot(page, "22-glmm-before-fit");
    await page.getByRole("region", { name: "Residuals" }).scrollIntoViewIfNeeded();
    await shot(page, "24-glmm-residuals-disabled");

    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    await shot(page, "23-glmm-after-fit");
    expect(await page.getByTestId("result-family").textContent()).toMatch(/^Binomial \(probit\), Laplace approximation; log-likelihood -\d+\.\d\d\.$/);
    expect(await page.getByTestId("sheet-names").textContent()).toBe("HLM SummaryHLM Random Effects");
    expect(await addedSheets(page)).toEqual(["HLM Summary", "HLM Random Effects"]);

    // HLM Summary: glmer's probit fit of cbpp (R: summary(glmer(..., family = binomial(link = "probit"))))
    const summary = (await fakeSheet(page, "HLM Summary"))!;
    const rowOf = (label: string): unknown[] => summary.values.find((r) => r[0] === label)!;
    expect(rowOf("Family")[1]).toBe("binomial");
    expect(rowOf("Link")[1]).toBe("probit");
    expect(rowOf("Method")[1]).toBe("Maximum likelihood (Laplace approximation)");
    expect(rowOf("Term").slice(0, 5)).toEqual(["Term", "Estimate", "Std. Error", "z value", "Pr(>|z|)"]);
    const period4 = rowOf("period4");
    expect(Math.abs((period4[1] as number) + 0.7996)).toBeLessThan(5e-4);
    expect(Math.abs((period4[2] as number) - 0.2047)).toBeLessThan(5e-4);
    const herd = summary.values.find((r) => r[0] === "herd" && r[1] === "(Intercept)")!;
    expect(Math.abs((herd[2] as number) - 0.1142)).toBeLessThan(5e-4);
    expect(summary.values.some((r) => typeof r[0] === "string" && r[0].startsWith("Odds ratios"))).toBe(false); // exp(β) means odds ratios for the logit only
    const re = (await fakeSheet(page, "HLM Random Effects"))!;
    expect(re.values.find((r) => r[0] === "herd" && r[1] === "mode (Intercept)")!.at(-1)).toBe("Probability at reference levels");
    const log = await changes(page);
    expect(log.filter((c) => !c.added)).toEqual([]);
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    await page.close();
  });

  it("compares two generalized linear mixed models (lme4's anova of glmer fits) and refuses models on different rows", async () => {
    const cbpp = glmmDatasetRange("cbpp");
    // the same data with a blank period in sheet row 5: a model that uses period drops that row
    const gappy = cbpp.map((r, i) => (i === 4 ? r.map((v, j) => (j === 3 ? "" : v)) : [...r]));
    const page = await openPane(isolated.origin, {
      sheets: [
        { name: "cbpp", values: cbpp },
        { name: "gappy", values: gappy },
      ],
      active: "cbpp",
      selection: { sheet: "cbpp", address: "A1:D57" },
    });
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("cbpp!A1:D57");
    await page.getByTestId("categorical").getByRole("checkbox", { name: "period", exact: true }).check();
    await page.getByRole("combobox", { name: "Family" }).click();
    await page.getByRole("option", { name: "Binomial: yes/no, successes of trials" }).click();
    const m0 = "cbind(incidence, size - incidence) ~ 1 + (1 | herd)";
    const m1 = "cbind(incidence, size - incidence) ~ period + (1 | herd)";
    await page.getByRole("textbox", { name: "Formula" }).fill(m0);
    await page.getByRole("button", { name: "Add model" }).click();
    await page.getByRole("textbox", { name: "Model m1 formula" }).fill(m1);
    await expect.poll(() => page.getByRole("button", { name: "Compare models" }).isDisabled()).toBe(false);
    expect(await page.getByTestId("models-note").textContent()).toBe("Every model is fitted with the family, link and points of quadrature above.");
    await page.getByTestId("models").scrollIntoViewIfNeeded();
    await shot(page, "25-glmm-compare-models");

    await page.getByRole("button", { name: "Compare models" }).click();
    await page.getByTestId("comparison").waitFor({ timeout: 60_000 });
    await page.getByTestId("comparison").scrollIntoViewIfNeeded();
    await shot(page, "26-glmm-comparison-done");
    expect(await page.getByTestId("comparison-family").textContent()).toBe("Binomial (logit), Laplace approximation.");
    // R: anova(glmer(m0, cbpp, binomial), glmer(m1, cbpp, binomial)): Chisq 25.61 on 3 df, Pr(>Chisq) 1.151e-05
    expect(await page.getByTestId("comparison-tests").textContent()).toMatch(/^m1 vs m0: χ²\(3\) = 25\.61, p = /);
    expect(await page.getByTestId("comparison").textContent()).not.toContain("refitting");
    expect(await addedSheets(page)).toEqual(["HLM Comparison"]);
    const sheet = (await fakeSheet(page, "HLM Comparison"))!;
    const rowOf = (label: string): unknown[] => sheet.values.find((r) => r[0] === label && typeof r[1] === "number")!;
    expect(rowOf("m0").slice(0, 2)).toEqual(["m0", 2]);
    expect(rowOf("m1").slice(0, 2)).toEqual(["m1", 5]);
    expect(Math.abs((rowOf("m0")[2] as number) - 213.66307)).toBeLessThan(1e-4); // AIC
    expect(Math.abs((rowOf("m1")[4] as number) + 92.026566)).toBeLessThan(1e-4); // logLik
    expect(Math.abs((rowOf("m1")[6] as number) - 25.609938)).toBeLessThan(1e-4); // Chisq
    expect(rowOf("m1")[7]).toBe(3);
    expect(Math.abs((rowOf("m1")[8] as number) / 1.1510065e-5 - 1)).toBeLessThan(1e-4);
    expect(sheet.values.some((r) => r[0] === `Every model is a generalized linear mixed model (lme4's glmer) with family = binomial(link = "logit"), the Laplace approximation.`)).toBe(true);

    // lme4 refuses models fitted to different rows ("models were not all fitted to the same size of dataset"): one sentence, nothing written
    await page.evaluate(() => (globalThis as unknown as { __hlmFake: { select(s: string, a: string): void } }).__hlmFake.select("gappy", "A1:D57"));
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("gappy!A1:D57");
    await page.getByRole("button", { name: "Compare models" }).click();
    await page.getByTestId("fit-error").waitFor({ timeout: 60_000 });
    await page.getByTestId("fit-error").scrollIntoViewIfNeeded();
    await shot(page, "27-glmm-compare-different-rows");
    expect(await page.getByTestId("fit-error").textContent()).toContain(
      "The models were fitted to different numbers of observations (rows with missing values in their variables were dropped): m0 56, m1 55; compare models fitted to the same rows",
    );
    expect(await addedSheets(page)).toEqual(["HLM Comparison"]);
    const log = await changes(page);
    expect(log.filter((c) => !c.added)).toEqual([]);
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    await page.close();
  });

  it("records the worker's requests too, and neither the page nor the worker will evaluate a string", async () => {
    const page = await openPane(isolated.origin, { sheets: [{ name: "Sleep", values: sleep }], active: "Sleep", selection: { sheet: "Sleep", address: "A1:C181" } });
    // the pane starts its worker at once
    await expect.poll(() => page.workers().length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const worker = page.workers()[0]!;
    expect(worker.url()).toMatch(new RegExp(`^${isolated.origin}/assets/fitWorker-`));
    // a request made inside the worker reaches the recorder (and the route, which blocks it)
    const probe = "https://hlm-e2e.invalid/probe";
    expect(await worker.evaluate((u) => fetch(u).then(() => "fetched", () => "blocked"), probe)).toBe("blocked");
    await expect.poll(() => requestsOf.get(page)!.some((r) => r.url === probe)).toBe(true);
    // string evaluation is refused by the Content-Security-Policy in the page (meta) and in the worker (header);
    // tried in a task of their own, since DevTools lets code it evaluates itself use eval
    const tryEval = (): Promise<string[]> =>
      new Promise((resolve) =>
        setTimeout(() => {
          const attempt = (f: () => unknown): string => {
            try {
              return String(f());
            } catch (e) {
              return (e as Error).name;
            }
          };
          resolve([attempt(() => (0, eval)("1 + 1")), attempt(() => new Function("return 1")())]);
        }, 0),
      );
    expect(await page.evaluate(tryEval)).toEqual(["EvalError", "EvalError"]);
    expect(await worker.evaluate(tryEval)).toEqual(["EvalError", "EvalError"]);
    // and yet the worker compiles the engine's WebAssembly ('wasm-unsafe-eval'): a fit works
    await page.getByRole("button", { name: "Use selection" }).click();
    await page.getByTestId("range-address").waitFor();
    await page.getByRole("textbox", { name: "Formula" }).fill("Reaction ~ Days + (Days | Subject)");
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    const requests = requestsOf.get(page)!.filter((r) => r.url !== probe);
    expect(requests.filter((r) => !r.url.startsWith(`${isolated.origin}/`)).map((r) => r.url)).toEqual([OFFICE_JS]);
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    await page.close();
  });

  it("bad input: one sentence that names the cell as the sheet counts it, and nothing written", async () => {
    // sleepstudy placed at C3 of 'My data', with a typo in Reaction on sheet row 19 and #DIV/0! in Days on row 30
    const grid: unknown[][] = [[], []];
    sleep.forEach((row, r) => {
      const cells = [...row];
      if (r === 16) cells[0] = "12O.5";
      if (r === 27) cells[1] = "#DIV/0!";
      grid.push(["", "", ...cells]);
    });
    // and a column of notes the model does not use, with an error of its own
    grid[2]!.push("Notes");
    grid[5]!.push("#REF!");
    const page = await openPane(isolated.origin, {
      sheets: [
        { name: "My data", values: grid },
        { name: "Sleep", values: [...sleep, ...Array.from({ length: 20 }, () => ["  ", "", ""])] },
        { name: "Empty", values: [] },
      ],
      active: "My data",
      selection: { sheet: "My data", address: "C3:F183" },
    });
    const before = (await snapshot(page)) as { sheets: unknown[] };
    const formula = page.getByRole("textbox", { name: "Formula" });
    /** Fits and reads the error; an error still shown from the fit before is not this fit's (each here differs). */
    const fitAndRead = async (): Promise<string> => {
      const error = page.getByTestId("fit-error");
      const before = (await error.count()) > 0 ? await error.textContent() : null;
      await page.getByRole("button", { name: "Fit model" }).click();
      await expect.poll(async () => ((await error.count()) > 0 ? await error.textContent() : null), { timeout: 30_000 }).not.toBe(before);
      await error.waitFor({ timeout: 30_000 });
      return (await error.textContent())!;
    };

    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("'My data'!C3:F183");
    expect(await page.getByTestId("range-info").textContent()).toContain("180 rows · 4 columns");
    await formula.fill("Reaction ~ 1 + (1 | Subject)");
    expect(await fitAndRead()).toBe("Column 'Reaction' should hold numbers, but row 19 holds '12O.5' (cell C19); correct that cell or clear it.");
    await shot(page, "07-text-in-numeric-column");
    await formula.fill("Days ~ 1 + (1 | Subject)");
    expect(await fitAndRead()).toBe("Cell D30 (column 'Days') holds the Excel error #DIV/0!; correct it, or clear the cell if the value is missing.");
    await shot(page, "08-excel-error-in-cell");

    // an empty selection
    await page.evaluate(() => (globalThis as unknown as { __hlmFake: { select(s: string, a: string): void } }).__hlmFake.select("Empty", "B2:D9"));
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-error").textContent()).toBe(
      "The selection is empty: select the data with a header row that names the columns (for example A1:D200).",
    );
    await shot(page, "09-empty-selection");

    // whole columns A:D of a sheet whose last rows hold only spaces: read as far as the used range, the blank rows left out
    await page.evaluate(() => (globalThis as unknown as { __hlmFake: { select(s: string, a: string): void } }).__hlmFake.select("Sleep", "A1:D1048576"));
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("Sleep!A1:C201");
    expect(await page.getByTestId("range-info").textContent()).toContain("180 rows · 3 columns");
    expect(await page.getByTestId("range-error").count()).toBe(0);

    // nothing was written anywhere (the test itself selected other sheets, so only the active sheet differs)
    expect(await changes(page)).toEqual([]);
    expect(((await snapshot(page)) as { sheets: unknown[] }).sheets).toEqual(before.sheets);
    expect((page as Page & { hlmErrors?: string[] }).hlmErrors).toEqual([]);
    await page.close();
  });

  it("shows a formula typo where it is, and does not fit it", async () => {
    const page = await openPane(isolated.origin, {
      sheets: [{ name: "Sleep", values: sleep }],
      active: "Sleep",
      selection: { sheet: "Sleep", address: "A1:C181" },
    });
    await page.getByRole("button", { name: "Use selection" }).click();
    await page.getByTestId("range-address").waitFor();
    const formula = page.getByRole("textbox", { name: "Formula" });
    await formula.fill("Reaction ~ Days + (Days | Subject");
    await page.getByTestId("formula-error").waitFor();
    expect(await page.getByTestId("formula-error").textContent()).toBe(
      "Formula error at position 19 of 'Reaction ~ Days + (Days | Subject': this '(' is not closed.",
    );
    expect(await page.getByTestId("formula-marked-char").textContent()).toBe("(");
    expect(await page.getByTestId("formula-marker").textContent()).toBe("Reaction ~ Days + (Days | Subject");
    expect(await page.getByRole("button", { name: "Fit model" }).isDisabled()).toBe(true);
    await shot(page, "02-parse-error");

    await formula.fill("Reaction ~ Dayz + (Days | Subject)");
    await expect.poll(() => page.getByTestId("formula-error").textContent()).toBe("Unknown column 'Dayz' at position 12; did you mean 'Days'?");
    expect(await page.getByTestId("formula-marked-char").textContent()).toBe("D");
    await shot(page, "02b-unknown-column");

    // typed text drives the pickers too; a good formula clears the error
    await formula.fill("Reaction ~ Days + (1 | Subject)");
    await expect.poll(() => page.getByTestId("formula-error").count()).toBe(0);
    expect(await page.getByRole("combobox", { name: "Grouping factor" }).textContent()).toContain("Subject");
    expect(await page.getByRole("button", { name: "Fit model" }).isDisabled()).toBe(false);

    // an error from the fit itself (in the worker) is one sentence in a MessageBar, no stack trace
    await formula.fill("Reaction ~ Days + (1 | Reaction)");
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("fit-error").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("fit-error").textContent()).toBe("The response 'Reaction' must be numeric, but it is listed as categorical.");
    await shot(page, "06-fit-error");
    expect(await addedSheets(page)).toEqual([]);
    await page.close();
  });

  /** Starts the slow hsb fit (SES categorical × Sector, crossed School × MEANSES, ML) and cancels it once it is optimizing. */
  async function startAndCancel(page: Page, screenshot?: string): Promise<number> {
    await page.getByRole("button", { name: "Use whole sheet" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("Schools!A1:G7186");
    // text columns come ticked as categorical
    const categorical = page.getByTestId("categorical");
    expect(await categorical.getByRole("checkbox", { name: "Sector", exact: true }).isChecked()).toBe(true);
    expect(await categorical.getByRole("checkbox", { name: "SES", exact: true }).isChecked()).toBe(false);
    // SES as categorical, times Sector: ~690 fixed effects beside the crossed School × MEANSES, a fit of
    // ~30 s in Node (the dense tail's kernels are WebAssembly SIMD; SES alone now fits in under 5 s)
    await categorical.getByRole("checkbox", { name: "SES", exact: true }).check();
    await page.getByRole("textbox", { name: "Formula" }).fill("MathAch ~ SES * Sector + (1 | School) + (1 | MEANSES)");
    await page.getByRole("radio", { name: "Maximum likelihood" }).check();
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("progress").waitFor();
    await expect
      .poll(async () => Number(await page.getByTestId("progress-evaluations").textContent()), { timeout: 60_000, interval: 100 })
      .toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId("progress-objective").textContent()).toMatch(/^\d+\.\d{4}$/);
    if (screenshot) await shot(page, screenshot);
    const t0 = Date.now();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByTestId("cancelled").waitFor({ timeout: 15_000 });
    const ms = Date.now() - t0;
    expect(await page.getByTestId("cancelled").textContent()).toMatch(/Fit cancelled.*no sheet was written/);
    return ms;
  }

  it("cancels a long fit: the worker stops at the shared flag, and the workbook is as it was", async () => {
    const page = await openPane(isolated.origin, { sheets: [{ name: "Notes", values: [["my notes"], [1]] }, { name: "Schools", values: hsb }], active: "Schools" });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const before = await snapshot(page);
    const ms = await startAndCancel(page, "03-progress");
    await shot(page, "05-cancelled");
    expect(await page.evaluate(() => document.documentElement.dataset["cancelPath"])).toBe("worker");
    expect(ms).toBeLessThan(2000);
    // nothing arrives later either: the same sheets, cells, formats and active sheet, and no change at all
    await page.waitForTimeout(1500);
    expect(await addedSheets(page)).toEqual([]);
    expect(await changes(page)).toEqual([]);
    expect(await snapshot(page)).toEqual(before);
    expectOwnOriginOnly(page, isolated.origin);
    await page.close();
  });

  it("without cross-origin isolation, Cancel terminates the worker after 2 s; the next fit runs on a fresh one", async () => {
    const page = await openPane(plain.origin, {
      sheets: [
        { name: "Schools", values: hsb },
        { name: "Sleep", values: sleep },
      ],
      active: "Schools",
    });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    const before = await snapshot(page);
    const ms = await startAndCancel(page);
    expect(await page.evaluate(() => document.documentElement.dataset["cancelPath"])).toBe("terminated");
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(await addedSheets(page)).toEqual([]);
    expect(await changes(page)).toEqual([]);
    expect(await snapshot(page)).toEqual(before);

    await page.evaluate(() => (globalThis as unknown as { __hlmFake: { select(s: string, a: string): void } }).__hlmFake.select("Sleep", "A1:C181"));
    await page.getByRole("button", { name: "Use selection" }).click();
    await expect.poll(() => page.getByTestId("range-address").textContent()).toBe("Sleep!A1:C181");
    await page.getByRole("textbox", { name: "Formula" }).fill("Reaction ~ Days + (Days | Subject)");
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    expect(await addedSheets(page)).toEqual(["HLM Summary", "HLM Random Effects", "HLM Shrinkage", "HLM Diagnostics"]);
    const summary = (await fakeSheet(page, "HLM Summary"))!;
    expect(summary.values.find((r) => r[0] === "Method")).toEqual(["Method", "Maximum likelihood"]);
    await page.close();
  });
});
