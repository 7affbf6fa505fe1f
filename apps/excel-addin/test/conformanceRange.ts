/**
 * Test helpers: the lme4 references of `packages/core/test/conformance` and their data sets as Excel would
 * hand them to the add-in (`Range.values`: numbers as numbers, text as text, "" for empty cells).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The lme4 reference fits and their data sets, kept with core's tests. */
export const conformanceDir = fileURLToPath(new URL("../../../packages/core/test/conformance/", import.meta.url));

/** The fields of a reference file that the tests use (see the conformance README). */
export interface Reference {
  name: string;
  dataset: string;
  formula: string;
  REML: boolean;
  factors: string[];
  nobs: number;
  ngrps: Record<string, number>;
  fixef: Record<string, number>;
  se: Record<string, number>;
  sigma: number;
  varcorr: { group: string; names: string[]; covariance: number[][]; sd: number[]; corr: number[][] }[];
  logLik: number;
  AIC: number;
  BIC: number;
  objective: number;
  df_resid: number;
  satterthwaite_df: Record<string, number>;
  p_values: Record<string, number>;
  fitted_head: number[];
  ranef: { group: string; columns: string[]; levels: string[]; values: number[][]; condsd: number[][] }[];
}

export function loadReference(name: string): Reference {
  return JSON.parse(readFileSync(`${conformanceDir}${name}.json`, "utf8")) as Reference;
}

/** Splits one CSV line into fields (double quotes, "" inside quotes). */
function splitLine(line: string): { text: string; quoted: boolean }[] {
  const out: { text: string; quoted: boolean }[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let s = "";
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') {
          s += '"';
          i += 2;
        } else if (line[i] === '"' || i >= line.length) {
          i++;
          break;
        } else s += line[i++];
      }
      out.push({ text: s, quoted: true });
    } else {
      const j = line.indexOf(",", i);
      out.push({ text: j < 0 ? line.slice(i) : line.slice(i, j), quoted: false });
      i = j < 0 ? line.length : j;
    }
    if (i >= line.length) break;
    i++; // the comma
  }
  return out;
}

/** A CSV text as Excel's `Range.values` would give it after opening the file: numbers become numbers. */
export function csvToRange(text: string): unknown[][] {
  const lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
  return lines.map((line, r) =>
    splitLine(line).map(({ text: t }) => {
      if (r === 0) return t;
      if (t === "" || t === "NA") return "";
      const x = Number(t);
      return Number.isFinite(x) ? x : t;
    }),
  );
}

const ranges = new Map<string, unknown[][]>();

/** The data set of the conformance directory as range values (cached; do not modify). */
export function datasetRange(dataset: string): unknown[][] {
  let r = ranges.get(dataset);
  if (!r) {
    r = csvToRange(readFileSync(`${conformanceDir}${dataset}.csv`, "utf8"));
    ranges.set(dataset, r);
  }
  return r;
}

/** The nlme references (fits with residual correlation structures and variance functions) and their data sets, kept with core's tests. */
export const conformanceNlmeDir = fileURLToPath(new URL("../../../packages/core/test/conformance-nlme/", import.meta.url));

/** The fields of an nlme reference file that the tests use (see that folder's README). */
export interface NlmeReference {
  name: string;
  dataset: string;
  fixed: string;
  random: string;
  correlation: string;
  weights: string;
  method: "ML" | "REML";
  factors: string[];
  nobs: number;
  fixef: Record<string, number>;
  se: Record<string, number>;
  t_df: Record<string, number>;
  p_values: Record<string, number>;
  sigma: number;
  logLik: number;
  cor_params?: Record<string, number>;
  var_params?: Record<string, number>;
  var_strata?: string[];
  marginal_cov: { group: string; rows: number[]; matrix: number[][] };
}

export function loadNlmeReference(name: string): NlmeReference {
  return JSON.parse(readFileSync(`${conformanceNlmeDir}${name}.json`, "utf8")) as NlmeReference;
}

/** The lme4 formula of an nlme reference: its fixed part and its random part as a term (`~ Time | Rat` → `(Time | Rat)`). */
export const nlmeFormula = (ref: NlmeReference): string => `${ref.fixed} + (${ref.random.replace(/^~\s*/, "")})`;

const nlmeRanges = new Map<string, unknown[][]>();

/** A data set of the nlme references as range values (cached; do not modify). */
export function nlmeDatasetRange(dataset: string): unknown[][] {
  let r = nlmeRanges.get(dataset);
  if (!r) {
    r = csvToRange(readFileSync(`${conformanceNlmeDir}${dataset}.csv`, "utf8"));
    nlmeRanges.set(dataset, r);
  }
  return r;
}

/** A fresh copy of range values (a new array, as each worksheet-function call gets). */
export const copyRange = (values: unknown[][]): unknown[][] => values.map((row) => [...row]);

/** The lme4 glmer references (generalized linear mixed models) and their data sets, kept with core's tests. */
export const conformanceGlmmDir = fileURLToPath(new URL("../../../packages/core/test/conformance-glmm/", import.meta.url));

/** The fields of a glmer reference file that the tests use (see that folder's README). */
export interface GlmmReference {
  name: string;
  dataset: string;
  formula: string;
  family: "binomial" | "poisson";
  link: "logit" | "probit" | "cloglog" | "log";
  nAGQ: number;
  weights?: string;
  factors: string[];
  nobs: number;
  ngrps: Record<string, number>;
  fixef: Record<string, number>;
  se: Record<string, number>;
  z_values: Record<string, number>;
  p_values: Record<string, number>;
  varcorr: { group: string; names: string[]; covariance: number[][]; sd: number[]; corr: number[][] }[];
  logLik: number;
  AIC: number;
  BIC: number;
  objective: number;
  fitted_head: number[];
  ranef: { group: string; columns: string[]; levels: string[]; values: number[][]; condsd: number[][] }[];
}

export function loadGlmmReference(name: string): GlmmReference {
  return JSON.parse(readFileSync(`${conformanceGlmmDir}${name}.json`, "utf8")) as GlmmReference;
}

const glmmRanges = new Map<string, unknown[][]>();

/** A data set of the glmer references as range values (cached; do not modify). */
export function glmmDatasetRange(dataset: string): unknown[][] {
  let r = glmmRanges.get(dataset);
  if (!r) {
    r = csvToRange(readFileSync(`${conformanceGlmmDir}${dataset}.csv`, "utf8"));
    glmmRanges.set(dataset, r);
  }
  return r;
}
