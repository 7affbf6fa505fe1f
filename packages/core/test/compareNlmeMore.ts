import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FitOptions } from "../src/fit/fit.js";
import type { LmmFit } from "../src/fit/LmmFit.js";
import type { FitJson } from "../src/report/fitToJson.js";
import { compareWithNlme, nlmeFormula, type NlmeReference } from "./compareNlmeReference.js";

/** The second set of nlme references (`packages/core/test/conformance-nlme-more`, made here by its own `nlme-reference.R`). */
export const nlmeMoreDir = fileURLToPath(new URL("./conformance-nlme-more/", import.meta.url));

/** One level of nested random effects in a reference: nlme's grouping path (`a`, `a/b`), G and the BLUPs. */
export interface NlmeLevel {
  group: string;
  names: string[];
  covariance: number[][];
  sd: number[];
  columns: string[];
  levels: string[];
  values: number[][];
}

/** The fields the second set adds (its README): HLM's spelling of the model, nested levels, the log-likelihood's check. */
export interface NlmeMoreReference extends NlmeReference {
  note?: string;
  /** HLM's lme4-style formula, when it is not `fixed + (effects | group)` (nlme's random as a list). */
  hlm_formula?: string;
  /** The column of prior weights w for HLM (nlme's `varFixed(~ invw)`, invw = 1/w). */
  hlm_weights?: string;
  /** Nested random effects: every level, outermost first. */
  re_levels?: NlmeLevel[];
  logLik_from_marginal: number;
  /** nlme's varComb: the classes combined (`varFixed`, `varIdent`). */
  var_components?: string[];
}

export function loadNlmeMoreReferences(dir = nlmeMoreDir): NlmeMoreReference[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as NlmeMoreReference);
}

/**
 * The reference's model as HLM fits it: the formula, and the options. nlme's `varFixed(~ invw)` is
 * HLM's prior weights (`hlm_weights`), and `varComb(varFixed(~ invw), f)` those weights with the
 * variance function f.
 */
export function hlmCall(ref: NlmeMoreReference): { formula: string; options: FitOptions } {
  const combined = /^varComb\(\s*varFixed\([^)]*\)\s*,\s*(.*)\)$/.exec(ref.weights);
  const variance = ref.weights.startsWith("varFixed") ? "" : combined ? combined[1]!.trim() : ref.weights;
  return {
    formula: ref.hlm_formula ?? nlmeFormula(ref),
    options: {
      REML: ref.method === "REML",
      factors: ref.factors,
      correlation: ref.correlation,
      variance,
      ...(ref.hlm_weights ? { weights: ref.hlm_weights } : {}),
    },
  };
}

const parts = (name: string): string[] => name.split(/[:/]/);
const sameParts = (a: string[], b: string[]): boolean => a.length === b.length && [...a].sort().join("\u0000") === [...b].sort().join("\u0000");

/**
 * A level label of one of HLM's groupings (`b1:A01` of `b:a`, `A01:b1` of the structure's `a/b`) as
 * nlme writes it for the grouping path (`A01/b1` of `a/b`): the label's parts in the path's order.
 */
export function nlmeLabel(label: string, ourGroup: string, nlmePath: string): string {
  const ours = parts(ourGroup);
  const values = label.split(":");
  if (values.length !== ours.length) return label;
  return parts(nlmePath)
    .map((g) => values[ours.indexOf(g)] ?? "?")
    .join("/");
}

/**
 * Every disagreement between an HLM fit and a reference of the second set: `compareWithNlme` (the
 * tolerances of ../conformance-nlme/README.md) after writing HLM's names as nlme's, where they
 * differ by spelling only: a nested grouping `b:a` (lme4) is nlme's `a/b` and its level `b1:A01`
 * nlme's `A01/b1`; corAR1 whose times have gaps is nlme's corARMA(p = 1), `Phi1` its `Phi`;
 * prior weights are nlme's varFixed, which has no parameters, or, with a variance function f,
 * nlme's varComb(varFixed, f), which names f's parameters `B.*`. With nested random effects, every
 * level's G and BLUPs are compared as well.
 */
export function compareWithNlmeMore(fit: LmmFit, json: FitJson, ref: NlmeMoreReference): string[] {
  const bad: string[] = [];
  const r: NlmeReference = { ...ref };
  const got: FitJson = { ...json };
  // corAR1 on times with gaps: nlme fits it as corARMA(p = 1, q = 0)
  if (ref.cor_class === "corARMA" && Object.keys(ref.cor_params ?? {}).join() === "Phi1" && ref.correlation.startsWith("corAR1")) {
    r.cor_class = "corAR1";
    r.cor_params = { Phi: ref.cor_params!["Phi1"]! };
  }
  // prior weights: nlme's varFixed, alone or combined with a variance function (varComb names its parameters B.*)
  if (ref.var_class === "varFixed") {
    delete r.var_class;
    delete r.var_params;
  }
  if (ref.var_class === "varComb" && ref.var_components?.length === 2 && ref.var_components[0] === "varFixed") {
    r.var_class = ref.var_components[1]!;
    r.var_params = Object.fromEntries(Object.entries(ref.var_params ?? {}).map(([k, v]) => [k.replace(/^B\./, ""), v]));
  }
  const paths = [...(ref.re_levels?.map((l) => l.group) ?? [ref.re_covariance.group])];
  const pathOf = (ourGroup: string): string => paths.find((p) => sameParts(parts(p), parts(ourGroup))) ?? ourGroup;
  if (ref.re_levels) {
    got.ngrps = Object.fromEntries(Object.entries(json.ngrps).map(([g, n]) => [pathOf(g), n]));
    // nlme's order (innermost first) where the groupings are the same
    if (sameParts(Object.keys(got.ngrps), Object.keys(ref.ngrps))) got.ngrps = Object.fromEntries(Object.keys(ref.ngrps).map((k) => [k, got.ngrps[k]!]));
    const vc = json.varcorr.find((v) => pathOf(v.group) === ref.re_covariance.group);
    got.re_covariance = vc && { group: ref.re_covariance.group, names: vc.names, covariance: vc.covariance, sd: vc.sd };
    got.ranef = json.ranef.map((t) => ({ ...t, group: pathOf(t.group), levels: t.levels.map((l) => nlmeLabel(l, t.group, pathOf(t.group))) }));
    for (const level of ref.re_levels) {
      const v = json.varcorr.find((x) => pathOf(x.group) === level.group);
      if (!v) {
        bad.push(`level ${level.group}: no random-effects term of HLM's (${json.varcorr.map((x) => x.group).join(", ")})`);
        continue;
      }
      const G = level.covariance;
      G.forEach((row, i) =>
        row.forEach((g, j) => {
          const o = v.covariance[i]?.[j];
          if (o === undefined || Math.abs(o - g) > 5e-3 * Math.sqrt(G[i]![i]! * G[j]![j]!)) bad.push(`level ${level.group} G[${i}][${j}]: got ${o}, nlme ${g}`);
        }),
      );
      const t = got.ranef.find((x) => x.group === level.group)!;
      level.levels.forEach((lab, i) => {
        const k = t.levels.indexOf(lab);
        level.columns.forEach((c, j) => {
          const o = k >= 0 ? t.values[k]?.[t.columns.indexOf(c)] : undefined;
          if (o === undefined || Math.abs(o - level.values[i]![j]!) > 0.01 * Math.sqrt(G[j]![j]!)) bad.push(`level ${level.group} ranef ${lab} ${c}: got ${o}, nlme ${level.values[i]![j]}`);
        });
      });
    }
  }
  // the structure's first group, as nlme labels it
  const sg = fit.residual?.group;
  if (sg) {
    const path = paths.find((p) => sameParts(parts(p), parts(sg))) ?? (sg.includes("/") ? sg : null);
    if (path && got.marginal_cov) got.marginal_cov = { ...got.marginal_cov, group: nlmeLabel(got.marginal_cov.group, sg, path) };
    if (path && got.cor_matrix_first_group) got.cor_matrix_first_group = { ...got.cor_matrix_first_group, group: nlmeLabel(got.cor_matrix_first_group.group, sg, path) };
  }
  return [...compareWithNlme(got, r), ...bad];
}
