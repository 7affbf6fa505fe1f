/**
 * The worksheet functions with a residual structure in their options (nlme's `lme`): checked
 * against the nlme references of `packages/core/test/conformance-nlme` (the data as Excel hands it over).
 */
import { describe, expect, it } from "vitest";
import { copyRange, datasetRange, loadNlmeReference, nlmeDatasetRange, nlmeFormula } from "../../test/conformanceRange.js";
import { modelCache } from "./modelCache.js";
import { anova, confint, corstruct, fixef, influence, logLik, summary, varcov, varfunc } from "./worksheetFunctions.js";
import { expectClose as close, messageOf } from "../../test/expectations.js";

const ovary = loadNlmeReference("ovary_ar1_ml");
const orthodont = loadNlmeReference("orthodont_varident_reml");
const bodyWeight = loadNlmeReference("bodyweight_car1_ml");
const ovaryData = nlmeDatasetRange("Ovary");



describe("a residual correlation structure in the options (Ovary, corAR1(), ML)", () => {
  const formula = nlmeFormula(ovary); // follicles ~ s1 + c1 + (1 | Mare)
  const options = `correlation=${ovary.correlation}`;

  it("HLM.CORSTRUCT gives nlme's Phi, HLM.LOGLIK nlme's log-likelihood", () => {
    const c = corstruct(ovaryData, formula, "ML", options);
    expect(c[0]).toEqual(["Parameter", "Estimate"]);
    expect(c.slice(1).map((r) => r[0])).toEqual(["Phi"]);
    close(c[1]![1], ovary.cor_params!["Phi"]!, 1e-3, "Phi"); // 0.5975
    close(logLik(ovaryData, formula, "ML", options)[0]![0], ovary.logLik, 1e-3, "logLik"); // -776.517
  });

  it("HLM.FIXEF: the estimates nlme's; with ddf=containment nlme's t-table (df 295, its standard errors and p-values)", () => {
    const sat = fixef(ovaryData, formula, "ML", options);
    const nlme = fixef(ovaryData, formula, "ML", `${options}; ddf=containment`);
    expect(nlme[0]).toEqual(["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]);
    for (const row of nlme.slice(1)) {
      const name = row[0] as string;
      close(row[1], ovary.fixef[name]!, 1e-3 * ovary.se[name]!, `fixef ${name}`);
      close(row[2], ovary.se[name]!, 1e-3 * ovary.se[name]!, `se ${name}`);
      expect(row[3], `df ${name}`).toBe(ovary.t_df[name]);
      const lp = -Math.log10(ovary.p_values[name]!);
      close(-Math.log10(row[5] as number), lp, 1e-3 * lp + 1e-6, `p ${name}`);
    }
    // Satterthwaite's df (the default) are not the containment df
    expect(sat.slice(1).map((r) => r[3])).not.toEqual(nlme.slice(1).map((r) => r[3]));
  });

  it("HLM.VARCOV: the first mare's marginal covariance (nlme's getVarCov), labelled by sheet row", () => {
    const v = varcov(ovaryData, formula, "ML", options);
    const ref = ovary.marginal_cov;
    expect(v).toHaveLength(ref.rows.length + 1);
    expect(v[0]![0]).toBe(`Mare ${ref.group}`);
    expect(v[0]!.slice(1)).toEqual(ref.rows.map((r) => `Row ${r + 1}`)); // data row 1 is on sheet row 2
    expect(v[1]![0]).toBe("Row 2");
    ref.matrix.forEach((row, i) => row.forEach((x, j) => close(v[i + 1]![j + 1], x, 1e-3 * ref.matrix[0]![0]!, `V[${i},${j}]`)));
    // a range that starts lower on the sheet: its rows as the sheet counts them
    const placed = varcov(ovaryData, formula, "ML", options, { data: "Sheet2!C5:G313" });
    expect(placed[0]!.slice(1, 3)).toEqual(["Row 6", "Row 7"]);
  });

  it("HLM.SUMMARY: nlme's sections, and with ddf=containment nlme's t-table", () => {
    const text = summary(ovaryData, formula, "ML", `${options}; ddf=containment`)
      .map((r) => r[0])
      .join("\n");
    expect(text).toContain("Correlation Structure: AR(1)");
    expect(text).toContain("containment");
    expect(text).toMatch(/Phi\s*\n\s*0\.597/);
    expect(text).toContain(" 29 rows: see HLM.VARCOV with the same options."); // the first mare's covariance is too large to print
  });

  it("caches by the options: the same options share a fit, other options fit again", () => {
    const data = copyRange(ovaryData);
    corstruct(data, formula, "ML", options);
    const { fits, hits } = modelCache.stats;
    corstruct(copyRange(ovaryData), formula, "ML", ` ${options} `);
    fixef(copyRange(ovaryData), formula, "ML", `${options}; ddf=containment`); // the ddf is no part of the fit
    expect(modelCache.stats.fits).toBe(fits);
    expect(modelCache.stats.hits).toBe(hits + 2);
    const plain = logLik(copyRange(ovaryData), formula, "ML")[0]![0] as number;
    expect(modelCache.stats.fits).toBe(fits + 1);
    expect(plain).toBeLessThan(ovary.logLik - 10); // without the AR(1) the likelihood is much lower (-829.8)
  });

  it("refuses what it cannot do for a structured model, in one sentence", () => {
    expect(messageOf(() => anova(ovaryData, formula, "ML", `${options}; ddf=containment`))).toMatch(/^HLM\.ANOVA's F tests use Satterthwaite's denominator df/);
  });

  it("HLM.INFLUENCE refits keep the structure: a mare's change is the AR(1) fit without her less the full one", () => {
    const inf = influence(ovaryData, formula, null, "ML", options);
    expect(inf[0]).toEqual(["Mare", "Cook's D", "Δ (Intercept)", "Δ s1", "Δ c1", "Converged"]);
    expect(inf.length).toBe(12);
    const row = inf.find((r) => r[0] === "3")!;
    const header = ovaryData[0]!;
    const without = [header, ...ovaryData.slice(1).filter((r) => String(r[header.indexOf("Mare")]) !== "3")];
    expect(without.length).toBeLessThan(ovaryData.length - 20);
    const full = fixef(ovaryData, formula, "ML", options);
    const refit = fixef(without, formula, "ML", options);
    for (let j = 0; j < 3; j++) close(row[2 + j], (refit[1 + j]![1] as number) - (full[1 + j]![1] as number), 2e-3 * (full[1 + j]![2] as number), `Δ ${String(full[1 + j]![0])}`);
  });

  it("HLM.CONFINT: Wald intervals of a structured model; its profile and bootstrap are refused", async () => {
    const w = await confint(ovaryData, formula, "ML", 0.95, "Wald", options);
    expect(w[0]).toEqual(["Parameter", "Estimate", "2.5 %", "97.5 %"]);
    expect(w.slice(1).map((r) => r[0])).toEqual(["(Intercept)", "s1", "c1"]);
    await expect(confint(ovaryData, formula, "ML", 0.95, "profile", options)).rejects.toThrow(
      "HLM.CONFINT's profile interval is not available for a model with a residual structure (corAR1()) yet; leave the correlation and variance options out for it.",
    );
  });
});

describe("a variance function in the options (Orthodont, varIdent by Sex, REML)", () => {
  it("HLM.VARFUNC: the reference stratum's 1, then nlme's SD ratio", () => {
    const v = varfunc(nlmeDatasetRange("Orthodont"), nlmeFormula(orthodont), "REML", `variance=${orthodont.weights}`);
    expect(v[0]).toEqual(["Stratum", "SD ratio"]);
    expect(v.slice(1).map((r) => r[0])).toEqual(orthodont.var_strata);
    expect(v[1]![1]).toBe(1);
    close(v[2]![1], orthodont.var_params!["Male"]!, 2e-3, "Male"); // 2.137
    close(logLik(nlmeDatasetRange("Orthodont"), nlmeFormula(orthodont), "REML", `variance=${orthodont.weights}`)[0]![0], orthodont.logLik, 1e-3);
  });
});

describe("continuous-time AR(1) with factors from the options (BodyWeight, corCAR1(form = ~ Time), ML)", () => {
  it("HLM.FIXEF with factors=Rat, Diet and ddf=containment: nlme's estimates and df (157 within rats, 13 between)", () => {
    const options = `correlation=${bodyWeight.correlation}; factors=Rat, Diet; ddf=containment`;
    const t = fixef(nlmeDatasetRange("BodyWeight"), nlmeFormula(bodyWeight), "ML", options);
    expect(t.slice(1).map((r) => r[0])).toEqual(Object.keys(bodyWeight.fixef));
    for (const row of t.slice(1)) {
      const name = row[0] as string;
      close(row[1], bodyWeight.fixef[name]!, 2e-3 * bodyWeight.se[name]!, `fixef ${name}`);
      expect(row[3], `df ${name}`).toBe(bodyWeight.t_df[name]);
    }
    close(corstruct(nlmeDatasetRange("BodyWeight"), nlmeFormula(bodyWeight), "ML", options)[1]![1], bodyWeight.cor_params!["Phi"]!, 1e-3, "Phi");
  });
});

describe("errors about the structure name the column, the text and the sheet's rows", () => {
  const bw = nlmeDatasetRange("BodyWeight");
  const formula = "weight ~ Time + (1 | Rat)";

  it("an unknown column, a text that does not parse, a structure asked of a model without one", () => {
    expect(messageOf(() => fixef(bw, formula, null, "correlation=corCAR1(form = ~ Tme)"))).toBe("Unknown column 'Tme' in the correlation structure 'corCAR1(form = ~ Tme)'; did you mean 'Time'?");
    expect(messageOf(() => fixef(bw, formula, null, "correlation=corAR2()"))).toMatch(/^Correlation structure error at position 1 of 'corAR2\(\)'/);
    expect(messageOf(() => corstruct(bw, formula))).toBe('The model has no residual correlation structure; give one in the options, for example "correlation=corAR1()".');
    expect(messageOf(() => varfunc(bw, formula, null, "correlation=corCAR1(form = ~ Time)"))).toBe(
      'The model has no variance function; give one in the options, for example "variance=varIdent(form = ~ 1 | Sex)".',
    );
  });

  it("a tie in the time within a group names both rows and cells as the sheet counts them", () => {
    const tied = copyRange(bw);
    tied[2]![1] = tied[1]![1]; // rat 1's second time equals its first (sheet rows 2 and 3)
    expect(messageOf(() => fixef(tied, formula, null, "correlation=corCAR1(form = ~ Time)", { data: "Data!A1:D177" }))).toBe(
      "The correlation structure's time 'Time' has the value 1 twice within Rat 1 (rows 2 and 3, cells B2 and B3); times must differ within a group.",
    );
  });

  it("an Excel error in the time column is named by its cell", () => {
    const broken = copyRange(bw);
    broken[5]![1] = "#N/A";
    expect(messageOf(() => fixef(broken, formula, null, "correlation=corCAR1(form = ~ Time)"))).toBe(
      "Cell B6 (column 'Time') holds the Excel error #N/A; correct it, or clear the cell if the value is missing.",
    );
  });

  it("a plain model is as before: the options leave it alone", () => {
    const sleep = datasetRange("sleepstudy");
    expect(fixef(sleep, "Reaction ~ Days + (Days | Subject)", null, "")).toEqual(fixef(sleep, "Reaction ~ Days + (Days | Subject)"));
  });
});
