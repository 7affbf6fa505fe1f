// The reference pages (docs/reference): the generated ones are what their scripts write from the code
// as it is today (functions.json, `hlm --help` and the examples' output, TypeDoc), and every formula on
// the hand-written formula page parses and expands as the page says.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "@hlm/core";
import { buildModel, HlmError, modelTerms, parseFormula, tableFromRows } from "@hlm/core";
import { EXAMPLES, GLMM_EXAMPLES, GLMM_F, exampleCall, readFunctionsJson, renderFunctionsPage, signature } from "../scripts/reference/functions.mjs";
import { CLI_EXAMPLES, commandLine, hlm, renderExample } from "../scripts/reference/cli.mjs";
import { apiDir, markdownFiles } from "../scripts/reference/api.mjs";

const referenceDir = join(import.meta.dirname, "../reference");
const page = (name: string): string => readFileSync(join(referenceDir, name), "utf8");

interface FunctionParameter {
  name: string;
  type: string;
  optional?: boolean;
  dimensionality?: string;
}
interface FunctionMeta {
  id: string;
  name: string;
  description: string;
  parameters: FunctionParameter[];
  result: { type?: string; dimensionality?: string };
}

/** The sections `## HLM.NAME` of the functions page: heading, signature line, parameter rows. */
function functionSections(text: string): { name: string; signature: string; params: string[][] }[] {
  return text
    .split(/^## /m)
    .slice(1)
    .map((s) => {
      const name = /^HLM\.(\w+)/.exec(s)![1]!;
      const sig = /```text\n(=HLM\.[^\n]*)\n```/.exec(s)![1]!;
      const rows = s.split("\n").filter((l) => /^\| `[^`]+` \|/.test(l));
      const params = rows.map((l) => l.replace(/^\| | \|$/g, "").split(" | ").slice(0, 3));
      return { name, signature: sig, params };
    });
}

/** Un-escapes `\|` in a table cell, and reads its code spans. */
const codeSpans = (cellText: string): string[] => [...cellText.replace(/\\\|/g, "|").matchAll(/(`+)\s?([\s\S]*?[^`])\s?\1(?!`)/g)].map((m) => m[2]!);

/** The markdown tables of a page whose header row starts with the given cells: their body rows as cells. */
function tables(text: string, header: string[]): string[][][] {
  const out: string[][][] = [];
  const lines = text.split("\n");
  const split = (l: string): string[] => l.replace(/^\|\s?|\s?\|$/g, "").split(/(?<!\\)\|/).map((c) => c.trim());
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("|")) continue;
    const h = split(lines[i]!);
    if (header.every((x, k) => h[k] === x) && h.length === header.length) {
      const rows: string[][] = [];
      for (let j = i + 2; j < lines.length && lines[j]!.startsWith("|"); j++) rows.push(split(lines[j]!));
      out.push(rows);
    }
    while (i < lines.length && lines[i]!.startsWith("|")) i++;
  }
  return out;
}

describe("reference: worksheet functions page", () => {
  const functions = readFunctionsJson() as FunctionMeta[];
  const text = page("functions.md");
  const sections = functionSections(text);

  it("lists exactly the functions of functions.json, in its order", () => {
    expect(sections.map((s) => s.name)).toEqual(functions.map((f) => f.name));
    expect(Object.keys(EXAMPLES).sort()).toEqual(functions.map((f) => f.id).sort());
  });

  it.each(functions.map((f) => [f.name, f] as const))("HLM.%s: signature and parameters as functions.json has them", (name, f) => {
    const s = sections.find((x) => x.name === name)!;
    expect(s.signature).toBe(signature(f));
    expect(s.signature).toBe(`=HLM.${f.name}(${f.parameters.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(", ")})`);
    expect(s.params).toEqual(f.parameters.map((p) => [`\`${p.name}\``, p.dimensionality === "matrix" ? "range" : p.type, p.optional ? "yes" : "no"]));
    // the example calls this function with as many arguments as it takes, the required ones given
    const ex = EXAMPLES[f.id];
    // the data range is the first argument, but for HLM.SQL, which reads no data (it writes the query that reads them)
    const data = ex.noData ? 0 : 1;
    const nargs = data + ex.args.length;
    expect(nargs).toBeGreaterThanOrEqual(f.parameters.filter((p) => !p.optional).length);
    expect(nargs).toBeLessThanOrEqual(f.parameters.length);
    f.parameters.slice(0, nargs).forEach((p, k) => {
      if (!p.optional && k >= data) expect(ex.args[k - data], `${name}: ${p.name}`).not.toBeNull();
    });
    expect(text).toContain(exampleCall(f.id, ex));
  });

  it("is what docs/scripts/reference/functions.mjs writes today: the examples' results included", async () => {
    expect(await renderFunctionsPage()).toBe(text);
  });

  it("quotes a real error message", async () => {
    const wf = await import("../../apps/excel-addin/dist/common/worksheetFunctions.js");
    const data = [["school", "ses", "score"], ...Array.from({ length: 20 }, (_, i) => [`s${i % 4}`, i / 10, 50 + ((i * 7) % 5)])];
    const formula = "score ~ SES + (1 | school)";
    expect(() => wf.fixef(data, formula)).toThrow("Unknown column 'SES' in formula 'score ~ SES + (1 | school)' (position 9); did you mean 'ses'?");
    expect(text).toContain("*Unknown column 'SES' in formula 'score ~ SES + (1 | school)' (position 9); did you mean 'ses'?*");
  });
});

describe("reference: the worksheet functions' GLMM examples (family=binomial on cbpp)", () => {
  const functions = readFunctionsJson() as FunctionMeta[];
  const text = page("functions.md");
  const repo = join(import.meta.dirname, "../..");
  /** The lines of the page after an example's call: its spilled table's rows, or its one value. */
  const after = (call: string): string => text.slice(text.indexOf(call) + call.length).split("\n## ")[0]!;
  /** The numbers of a markdown table row that starts with `label`. */
  const rowOf = (block: string, label: string): number[] => {
    const line = block.split("\n").find((l) => l.startsWith(`| ${label} |`))!;
    return line.split("|").slice(2, -1).map((c) => Number(c.trim()));
  };
  const near = (got: number | undefined, want: number, tol: number): void => expect(Math.abs(got! - want), `${got} vs ${want}`).toBeLessThan(tol);

  it("reads examples/cbpp.csv, a copy of the glmer references' cbpp", () => {
    expect(readFileSync(join(repo, "examples/cbpp.csv"), "utf8")).toBe(readFileSync(join(repo, "packages/core/test/conformance-glmm/cbpp.csv"), "utf8"));
  });

  it.each(Object.entries(GLMM_EXAMPLES))("HLM.%s: the call is on the page under a GLMM example, with the function's arguments", (id, ex) => {
    const f = functions.find((x) => x.id === id)!;
    expect(f).toBeDefined();
    const call = exampleCall(id, ex);
    expect(call).toContain('"family=binomial; factors=period"');
    const section = text.split(`\n## HLM.${f.name}\n`)[1]!.split("\n## ")[0]!;
    expect(section).toContain("**GLMM example.**");
    expect(section).toContain(call);
    expect(1 + ex.args.length).toBe(f.parameters.length); // the options are the last argument
  });

  // R 4.2, lme4 1.1-31, performance 0.10.2: m <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, binomial)
  it("shows lme4's numbers: fixef(m), ranef(m)$herd, predict(m, newdata, type = \"response\") and performance::icc(m)", () => {
    const fixef = after(exampleCall("FIXEF", GLMM_EXAMPLES.FIXEF));
    near(rowOf(fixef, "(Intercept)")[0], -1.398342864, 1e-4);
    near(rowOf(fixef, "period2")[0], -0.991924975, 1e-4);
    near(rowOf(fixef, "period3")[0], -1.128216216, 1e-4);
    near(rowOf(fixef, "period4")[0], -1.579745414, 1e-4);
    const ranef = after(exampleCall("RANEF", GLMM_EXAMPLES.RANEF));
    near(rowOf(ranef, "1")[0], 0.58962943649, 1e-4);
    near(rowOf(ranef, "2")[0], -0.29909332615, 1e-4);
    near(rowOf(ranef, "5")[0], -0.19028528762, 1e-4);
    const predict = after(exampleCall("PREDICT", GLMM_EXAMPLES.PREDICT)).split("\n").filter((l) => /^\| -?\d/.test(l)).map((l) => l.split("|").slice(1, -1).map((c) => Number(c.trim())));
    expect(predict).toHaveLength(3);
    [0.30816472414, 0.08405701185, 0.04842564601].forEach((p, i) => near(predict[i]![0], p, 1e-5)); // with the herd's mode (NEW: none)
    [0.19807920551, 0.04842564601, 0.04842564601].forEach((p, i) => near(predict[i]![1], p, 1e-5)); // re.form = NA
    [-0.808713428, -2.388458842, -2.978088278].forEach((p, i) => near(predict[i]![2], p, 1e-4)); // the link
    const icc = /It returns `([\d.]+)`/.exec(after(exampleCall("ICC", GLMM_EXAMPLES.ICC)))!;
    near(Number(icc[1]), 0.1113560818, 1e-5); // Adjusted ICC
    expect(GLMM_F).toBe("cbind(incidence, size - incidence) ~ period + (1 | herd)");
  });
});

describe("reference: the hlm command page", () => {
  const text = page("cli.md");

  it("shows hlm --help as the CLI prints it", () => {
    const help = hlm(["--help"]);
    expect(help.status).toBe(0);
    expect(text).toContain("```text\n" + help.stdout.trimEnd() + "\n```");
  });

  it("has a section and an example for every command of the usage text", () => {
    const commands = [...hlm(["--help"]).stdout.matchAll(/^ {2}hlm (\w+)/gm)].map((m) => m[1]!);
    expect(new Set(commands)).toEqual(new Set(["fit", "compare", "anova", "confint", "predict", "icc", "r2", "influence", "sql"]));
    for (const c of commands) {
      expect(text).toContain(`## hlm ${c}\n`);
      expect(CLI_EXAMPLES.some((e: { command: string }) => e.command === c)).toBe(true);
    }
  });

  it("describes each command with its own help, as the CLI prints it (no hand-written claims to drift)", () => {
    for (const c of ["fit", "compare", "anova", "confint", "predict", "icc", "r2", "influence", "sql"]) {
      const help = hlm([c, "--help"]);
      expect(help.status).toBe(0);
      expect(text).toContain(`## hlm ${c}\n\n\`\`\`text\n$ hlm ${c} --help\n${help.stdout.trimEnd()}\n\`\`\``);
    }
    // confint's default is profile likelihood, as lme4's
    expect(hlm(["confint", "--help"]).stdout).toContain("--method profile (the default, as in lme4)");
  });

  it.each(CLI_EXAMPLES.map((e: { command: string; args: string[] }) => [e.command, e] as const))("the %s example re-runs and prints what the page shows", async (_, ex) => {
    expect(text).toContain(`$ ${commandLine(ex.args)}\n`);
    expect(text).toContain(renderExample(ex));
  });

  it("documents the exit codes the CLI returns: 0, 2 for the user's mistakes", () => {
    expect(hlm(["--help"]).status).toBe(0);
    expect(hlm([]).status).toBe(2);
    expect(hlm(["fit", "examples/nels_sim.csv", "--formula", "score ~ ses + (1 | school"]).status).toBe(2);
    expect(hlm(["nonsense"]).status).toBe(2);
    expect(text).toMatch(/\| `0` \| success/);
    expect(text).toMatch(/\| `2` \| a mistake in the input/);
    expect(text).toMatch(/\| `1` \| an internal error/);
  });

});

describe("reference: the formula page", () => {
  const text = page("formula.md");

  /** R's term labels with (Intercept) first when the model has one. */
  const fixedTerms = (f: string): string[] => {
    const t = modelTerms(f);
    return [...(t.fixed.intercept ? ["(Intercept)"] : []), ...t.fixed.terms.map((term) => term.map((k) => t.fixed.variables[k]!.name).join(":"))];
  };
  /** The random-effects terms in lme4's explicit form: (1 + x | g), (0 + x | g). */
  const randomTerms = (f: string): string[] =>
    modelTerms(f).random.map((r) => `(${[r.effects.intercept ? "1" : "0", ...r.effects.terms.map((term) => term.map((k) => r.effects.variables[k]!.name).join(":"))].join(" + ")} | ${r.group})`);

  const fixedRows = tables(text, ["formula", "fixed-effects terms"]).flat();
  const randomRows = tables(text, ["formula", "random-effects terms"]).flat();
  const coefRows = tables(text, ["formula", "categorical", "coefficients"]).flat();
  const errorRows = tables(text, ["formula", "error"]).flat();
  const dataErrorRows = tables(text, ["formula", "error with the example data"]).flat();

  /** The page's example data (its csv block). */
  const csv = /```csv\n([\s\S]*?)\n```/.exec(text)![1]!;
  const [header, ...rows] = csv.split("\n").map((l) => l.split(",").map((v) => (v !== "" && Number.isFinite(Number(v)) ? Number(v) : v)));
  const data = tableFromRows(header!, rows);

  it("has the tables the test reads", () => {
    expect(fixedRows.length).toBeGreaterThan(20);
    expect(randomRows.length).toBeGreaterThan(10);
    expect(coefRows.length).toBeGreaterThan(5);
    expect(errorRows.length).toBeGreaterThan(15);
    expect(dataErrorRows.length).toBeGreaterThan(3);
  });

  it.each(fixedRows.map((r) => [codeSpans(r[0]!)[0]!, r] as const))("%s: its fixed-effects terms are as the page says", (formula, row) => {
    expect(fixedTerms(formula)).toEqual(codeSpans(row[1]!));
  });

  it.each(randomRows.map((r) => [codeSpans(r[0]!)[0]!, r] as const))("%s: its random-effects terms are as the page says", (formula, row) => {
    expect(randomTerms(formula)).toEqual(codeSpans(row[1]!));
  });

  it.each(coefRows.map((r) => [codeSpans(r[0]!)[0]!, codeSpans(r[1]!).join(","), r] as const))("%s (categorical: %s): the coefficients on the example data", (formula, factors, row) => {
    const model = buildModel(data, formula, { factors: factors ? factors.split(",") : [] });
    expect(model.xNames).toEqual(codeSpans(row[2]!));
  });

  it.each(errorRows.map((r) => [codeSpans(r[0]!)[0]!, r] as const))("%s: the error is the page's", (formula, row) => {
    const message = row[1]!.replace(/\\\|/g, "|").replace(/\\`/g, "`");
    let error: unknown;
    try {
      modelTerms(formula);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HlmError);
    expect((error as HlmError).message).toBe(message);
    expect((error as HlmError).details?.position).toBe(Number(/position (\d+)/.exec(message)![1]));
  });

  it.each(dataErrorRows.map((r) => [codeSpans(r[0]!)[0]!, r] as const))("%s: the error on the example data is the page's", (formula, row) => {
    expect(() => buildModel(data, formula)).toThrow(row[1]!.replace(/\\\|/g, "|"));
  });

  it("has no other formula that fails to parse: every `… ~ …` in its text", () => {
    const inTables = new Set([...errorRows, ...dataErrorRows].map((r) => codeSpans(r[0]!)[0]!));
    const prose = text.replace(/```[\s\S]*?```/g, "");
    const formulas = prose
      .split("\n")
      .flatMap((l) => codeSpans(l))
      .filter((c) => /^[^=\s].*~\s*\S/.test(c));
    expect(formulas.length).toBeGreaterThan(60);
    for (const f of formulas) {
      if (inTables.has(f)) continue;
      expect(() => parseFormula(f), f).not.toThrow();
      if (f !== "score ~ hours") expect(() => modelTerms(f), f).not.toThrow();
    }
  });

  it("names every function the engine evaluates, and only those", () => {
    let message = "";
    try {
      buildModel(data, "score ~ nosuch(hours) + (1 | school)");
    } catch (e) {
      message = (e as Error).message;
    }
    const supported = /supported: (.*)\.$/.exec(message)![1]!.split(/[,;] /);
    const functionTable = tables(text, ["function", "meaning"]).flat();
    const named = functionTable.flatMap((r) => codeSpans(r[0]!).map((c) => /^([\w.]+)\(/.exec(c)![1]!));
    expect(new Set(named)).toEqual(new Set(supported));
  });
});

describe("reference: the library API pages", () => {
  it("have a page or an entry for every export of @hlm/core", () => {
    expect(existsSync(join(apiDir, "index.md")), "run node docs/scripts/reference/api.mjs").toBe(true);
    const index = readFileSync(join(apiDir, "index.md"), "utf8");
    const files = markdownFiles() as string[];
    const values = Object.keys(core).filter((k) => k !== "default");
    for (const name of values) {
      const documented = files.some((f) => f.endsWith(`/${name}.md`)) || index.includes(`[${name}]`);
      expect(documented, name).toBe(true);
    }
  });

  it("link only to pages that exist", () => {
    for (const rel of markdownFiles() as string[]) {
      const text = readFileSync(join(apiDir, rel), "utf8");
      for (const m of text.matchAll(/\]\(([^)#\s]+\.md)(#[^)]*)?\)/g)) {
        const target = join(apiDir, rel, "..", m[1]!);
        expect(existsSync(target), `${rel} → ${m[1]}`).toBe(true);
      }
    }
  });
});

describe("reference: the index page", () => {
  it("links the four references", () => {
    const index = page("index.md");
    for (const link of ["./functions", "./cli", "./formula", "./api/"]) expect(index).toContain(`](${link})`);
  });
});
