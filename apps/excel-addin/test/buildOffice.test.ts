/**
 * The build of the Office side (`scripts/build-office.mjs`) into a temporary folder: functions.js
 * runs as a classic script (with the engine inside) and registers the twelve functions that
 * functions.json lists, which give lme4's numbers; the manifest and the icons are copied, the
 * manifest's URLs rewritten for another host.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCustomFunctionsError, installFakeCustomFunctions } from "../src/functions/testing/fakeCustomFunctions.js";
import { datasetRange, loadReference } from "./conformanceRange.js";

const script = fileURLToPath(new URL("../scripts/build-office.mjs", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "hlm-office-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("build-office.mjs", () => {
  it("builds functions.js, functions.json, manifest.xml and the icons", async () => {
    const run = spawnSync(process.execPath, [script, "--outdir", out], { encoding: "utf8", env: { ...process.env, HLM_ADDIN_URL: "https://addins.example.org/hlm" } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);

    const meta = JSON.parse(readFileSync(join(out, "functions.json"), "utf8")) as { functions: { id: string }[] };
    const ids = meta.functions.map((f) => f.id).sort();
    expect(ids).toEqual(["AIC", "ANOVA", "BIC", "COEF", "CONFINT", "CORSTRUCT", "FIXEF", "ICC", "INFLUENCE", "LOGLIK", "PREDICT", "R2", "RANEF", "SHRINKAGE", "SIGMA", "SQL", "SUMMARY", "VARCORR", "VARCOV", "VARFUNC"]);

    const manifest = readFileSync(join(out, "manifest.xml"), "utf8");
    expect(manifest).not.toContain("https://localhost");
    expect(manifest).toContain('DefaultValue="https://addins.example.org/hlm/functions.js"');
    for (const size of [16, 32, 80]) expect(existsSync(join(out, "assets", `icon-${size}.png`))).toBe(true);

    // functions.js is a classic script: it runs without module syntax and registers every function of functions.json
    const bundle = readFileSync(join(out, "functions.js"), "utf8");
    expect(bundle).not.toMatch(/^\s*(import|export)\s/m);
    expect(bundle).not.toMatch(/\beval\s*\(|new\s+Function\s*\(/);
    const associated = installFakeCustomFunctions();
    await import(pathToFileURL(join(out, "functions.js")).href);
    expect([...associated.keys()].sort()).toEqual(ids);

    const sleep = loadReference("sleepstudy_slopes_reml");
    const fixef = associated.get("FIXEF") as (...a: unknown[]) => unknown[][];
    const t = fixef(datasetRange("sleepstudy"), sleep.formula);
    for (const row of t.slice(1)) {
      const nm = row[0] as string;
      expect(Math.abs((row[1] as number) - sleep.fixef[nm]!)).toBeLessThanOrEqual(0.002 * sleep.se[nm]!);
    }
    try {
      fixef(datasetRange("sleepstudy"), "Reaction ~ Dayz + (1 | Subject)");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FakeCustomFunctionsError);
      expect((e as FakeCustomFunctionsError).code).toBe("#VALUE!");
      expect((e as FakeCustomFunctionsError).message).toMatch(/Unknown column 'Dayz'/);
    }
  });
});
