/**
 * Command-line manners, as git's and Rscript's: a closed pipe ends quietly, an unknown option names
 * the nearest one, every command has its own --help, long work shows progress on a terminal (and
 * only there), --json means JSON, and `pnpm -s hlm` runs in the user's folder.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../core/test/compareReference.js";
import { COMMAND_NAMES, COMMANDS, globalHelp } from "../src/commandSpecs.js";
import { run } from "../src/run.js";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const sleep = [`${conformanceDir}sleepstudy.csv`, "--formula", "Reaction ~ Days + (Days | Subject)"];

/** Runs the command; `tty` makes stderr a terminal, with a clock that moves `step` ms per reading. */
async function capture(argv: string[], tty?: { step: number }): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  let t = 0;
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) };
  const code = await run(argv, tty ? { ...io, stderrIsTTY: true, now: () => (t += tty.step) } : io);
  return { code, out, err };
}

/** The progress lines a terminal was sent: each rewritten line's text, in order. */
const progressLines = (err: string): string[] => [...err.matchAll(/\r([^\r\u001b]+)\u001b\[K/g)].map((m) => m[1]!);

describe("a closed pipe", () => {
  it("ends the command quietly: no stack trace, exit status 0", () => {
    // the JSON of 684 schools' BLUPs is far more than a pipe holds: head closes it after 100 bytes
    const p = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${main}" fit "${conformanceDir}nels_sim.csv" --formula "score ~ ses + (ses | school)" --json | head -c 100 > /dev/null`], { encoding: "utf8" });
    expect(p.stderr).toBe("");
    expect(p.status).toBe(0);
  });
});

describe("an unknown option", () => {
  it.each([
    [["fit", "d.csv", "--fromula", "y ~ x + (1 | g)"], "Unknown option --fromula for hlm fit; did you mean --formula?"],
    [["fit", "d.csv", "--shrinkge"], "Unknown option --shrinkge for hlm fit; did you mean --shrinkage?"],
    [["confint", "d.csv", "--metod", "wald"], "Unknown option --metod for hlm confint; did you mean --method?"],
    [["fit", "d.csv", "--method", "wald"], "Unknown option --method for hlm fit; it is an option of hlm confint."],
    [["anova", "d.csv", "--newdata", "n.csv"], "Unknown option --newdata for hlm anova; it is an option of hlm predict."],
    [["fit", "d.csv", "--verbose"], "Unknown option --verbose for hlm fit; 'hlm fit --help' lists its options."],
    [["fit", "d.csv", "--formula"], "--formula needs a value: --formula F (see 'hlm fit --help')."],
    [["fit", "d.csv", "--formula", "--ml"], "--formula needs a value: --formula F (see 'hlm fit --help')."],
    [["fit", "d.csv", "--ml=yes"], "--ml takes no value: give --ml alone, not --ml=yes."],
    [["--formula", "y ~ x"], "Give the command first: hlm COMMAND DATA --formula F, where COMMAND is one of fit, compare, anova, confint, predict, icc, r2, influence, sql (hlm --help)."],
    [["fitt", "d.csv"], "Unknown command 'fitt'; did you mean 'fit'? The commands are fit, compare, anova, confint, predict, icc, r2, influence, sql (hlm --help)."],
  ])("%j", async (argv, message) => {
    expect(await capture(argv)).toEqual({ code: 2, out: "", err: `hlm: ${message}\n` });
  });
});

describe("hlm COMMAND --help", () => {
  for (const name of COMMAND_NAMES) {
    it(`describes hlm ${name} and every option it takes`, async () => {
      const r = await capture([name, "--help"]);
      expect(r.code).toBe(0);
      // the usage line, wrapped at 80 columns as the rest of the help
      expect(r.out.split("\n\n")[0]!.replace(/\n\s+/g, " ")).toBe(`Usage: hlm ${COMMANDS[name].usage}`);
      expect(Math.max(...r.out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
      expect(r.out).not.toBe(globalHelp());
      for (const option of Object.keys(COMMANDS[name].options)) expect(r.out).toMatch(new RegExp(`^  --${option}\\b`, "m"));
      // every option in the usage line is one the command takes
      for (const m of COMMANDS[name].usage.matchAll(/--([a-z-]+)/g)) expect(Object.keys(COMMANDS[name].options)).toContain(m[1]);
      expect((await capture([name, "-h"])).out).toBe(r.out);
      expect((await capture(["help", name])).out).toBe(r.out);
    });
  }
  it("hlm --help lists every command with its summary, in 80 columns", async () => {
    const r = await capture(["--help"]);
    expect(r.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(r.out).toMatch(new RegExp(`^  hlm ${name} +${COMMANDS[name].summary.replace(/[()*+?.[\]\\|^$]/g, "\\$&")}$`, "m"));
    expect(Math.max(...r.out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
  });
});

describe("progress on stderr", () => {
  it("influence: a line per refit on a terminal, erased at the end; nothing in a pipe", async () => {
    const args = ["influence", ...sleep];
    const tty = await capture(args, { step: 150 });
    expect(tty.code).toBe(0);
    const lines = progressLines(tty.err);
    expect(lines).toContain("influence: refit 1 of 18 (without each level of Subject)");
    expect(lines.at(-1)).toBe("influence: refit 18 of 18 (without each level of Subject)");
    expect(tty.err.endsWith("\r\u001b[K")).toBe(true);
    const piped = await capture(args);
    expect(piped.err).toBe("");
    expect(piped.out).toBe(tty.out);
  });

  it("profile and bootstrap intervals: the limits found, the refits done", async () => {
    const profile = await capture(["confint", ...sleep], { step: 150 });
    expect(progressLines(profile.err)).toEqual(expect.arrayContaining(["profile: 1 of 12 limits found", "profile: 12 of 12 limits found"]));
    const boot = await capture(["confint", ...sleep, "--method", "boot", "--nsim", "20", "--seed", "1"], { step: 150 });
    expect(progressLines(boot.err).at(-1)).toBe("bootstrap: refit 20 of 20");
    expect((await capture(["confint", ...sleep, "--method", "boot", "--nsim", "20", "--seed", "1"])).err).toBe("");
  });

  it("fit: the data read and the optimizer's evaluations, once the fit has taken a second", async () => {
    const slow = await capture(["fit", ...sleep], { step: 1000 });
    const lines = progressLines(slow.err);
    expect(lines.some((l) => /^reading sleepstudy\.csv: \d+%$/.test(l))).toBe(true);
    expect(lines.some((l) => /^fitting: \d+ evaluations, REML criterion \d+\.\d\d$/.test(l))).toBe(true);
    expect(slow.err.endsWith("\r\u001b[K")).toBe(true);
    // a fit that ends within the second shows nothing, even on a terminal
    expect((await capture(["fit", ...sleep], { step: 0 })).err).toBe("");
  });
});

describe("--json means JSON", () => {
  it("predict --json: one object per new row, the same numbers as the CSV", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlm-manners-"));
    const newdata = join(dir, "new.csv");
    writeFileSync(newdata, "Subject,Days\n308,1\nNEW,2\n");
    const args = ["predict", ...sleep, "--newdata", newdata];
    const json = JSON.parse((await capture([...args, "--json"])).out) as Record<string, unknown>[];
    const csv = (await capture(args)).out.trim().split("\n");
    expect(csv[0]).toBe("Subject,Days,fit,population,se,new_levels");
    expect(json.map((r) => Object.keys(r))).toEqual([csv[0]!.split(","), csv[0]!.split(",")]);
    json.forEach((r, i) => {
      const cells = csv[i + 1]!.split(",");
      expect([r.Subject, r.Days, r.fit, r.population, r.se]).toEqual([cells[0], Number(cells[1]), Number(cells[2]), Number(cells[3]), Number(cells[4])]);
    });
    expect(json.map((r) => r.new_levels)).toEqual([[], ["Subject"]]);
  });

  it("fit --json --shrinkage: the shrinkage table under 'shrinkage', as the text shows it", async () => {
    const json = JSON.parse((await capture(["fit", ...sleep, "--json", "--shrinkage"])).out) as {
      shrinkage: { group: string; columns: string[]; rows: { level: string; n: number; ols: Record<string, number | null>; blup: Record<string, number> }[] };
    };
    expect(json.shrinkage.group).toBe("Subject");
    expect(json.shrinkage.columns).toEqual(["(Intercept)", "Days"]);
    expect(json.shrinkage.rows).toHaveLength(18);
    // subject 308: lm(Reaction ~ Days) gives 244.19 + 21.76 Days; lme4's coef() 253.66 + 19.67 Days
    const s308 = json.shrinkage.rows.find((r) => r.level === "308")!;
    expect(s308.n).toBe(10);
    expect(s308.ols["(Intercept)"]).toBeCloseTo(244.19, 2);
    expect(s308.ols.Days).toBeCloseTo(21.765, 3);
    expect(s308.blup["(Intercept)"]).toBeCloseTo(253.66, 2);
    expect(s308.blup.Days).toBeCloseTo(19.666, 3);
    // without --shrinkage there is no such key
    expect(JSON.parse((await capture(["fit", ...sleep, "--json"])).out)).not.toHaveProperty("shrinkage");
  });
});

describe("pnpm -s hlm (scripts/hlm.mjs)", () => {
  const launcher = join(repoRoot, "scripts/hlm.mjs");
  const env = (cwd: string): NodeJS.ProcessEnv => ({ ...process.env, INIT_CWD: cwd });
  it("resolves relative paths against the folder the user typed the command in", () => {
    const p = spawnSync(process.execPath, [launcher, "fit", "nels_sim.csv", "--formula", "score ~ 1 + (1 | school)", "--ml"], { cwd: repoRoot, env: env(join(repoRoot, "examples")), encoding: "utf8" });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout.split("\n")[0]).toBe("Linear mixed model fit by maximum likelihood. t-tests use Satterthwaite's method ['lmerMod']");
    expect(p.stdout).toContain("   Data: nels_sim\n");
    // the same name from the repository root is not there
    const q = spawnSync(process.execPath, [launcher, "fit", "nels_sim.csv", "--formula", "score ~ 1 + (1 | school)"], { cwd: repoRoot, env: env(repoRoot), encoding: "utf8" });
    expect(q.status).toBe(2);
    expect(q.stderr).toBe("hlm: Cannot read 'nels_sim.csv': no such file.\n");
  });
  it("--from-root (the example's script) stays at the repository root", () => {
    const p = spawnSync(process.execPath, [launcher, "--from-root", "icc", "examples/nels_sim.csv", "--formula", "score ~ 1 + (1 | school)"], { cwd: repoRoot, env: env(join(repoRoot, "docs")), encoding: "utf8" });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout.split("\n")[0]).toBe("# Intraclass Correlation Coefficient (nels_sim)");
  });
});
