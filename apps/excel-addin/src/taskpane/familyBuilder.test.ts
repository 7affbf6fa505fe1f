import { modelTerms } from "@hlm/core";
import { describe, expect, it } from "vitest";
import {
  changeFamily,
  defaultFamily,
  describeFamily,
  effectiveNagq,
  familyProblem,
  glmerArguments,
  linksOf,
  quadratureBlocked,
  readCbind,
  responseLabel,
  responseText,
  secondColumn,
  weightsOf,
  type FamilyChoices,
} from "./familyBuilder.js";

const binomial = (over: Partial<FamilyChoices> = {}): FamilyChoices => changeFamily(defaultFamily, { family: "binomial", ...over });

describe("families and links", () => {
  it("offers each family's links, the default first, and takes it when the family changes", () => {
    expect(linksOf("binomial")).toEqual(["logit", "probit", "cloglog"]);
    expect(linksOf("poisson")).toEqual(["log"]);
    expect(linksOf("gaussian")).toEqual([]);
    expect(changeFamily(defaultFamily, { family: "poisson" }).link).toBe("log");
    expect(changeFamily(binomial({ link: "probit" }), { nAGQ: 5 }).link).toBe("probit");
    expect(changeFamily(changeFamily(defaultFamily, { family: "poisson" }), { family: "binomial" }).link).toBe("logit");
  });
  it("keeps the points of quadrature whole and within 1 to 100 (lme4's bound)", () => {
    expect(changeFamily(defaultFamily, { nAGQ: 0 }).nAGQ).toBe(1);
    expect(changeFamily(defaultFamily, { nAGQ: 180 }).nAGQ).toBe(100);
  });
  it("describes a fitted family for the result", () => {
    expect(describeFamily({ family: "binomial", link: "logit", nAGQ: 1 })).toBe("Binomial (logit), Laplace approximation");
    expect(describeFamily({ family: "poisson", link: "log", nAGQ: 9 })).toBe("Poisson (log), adaptive quadrature with 9 points");
  });
});

describe("the binomial response", () => {
  it("writes the left-hand side of each form", () => {
    expect(responseText("incidence", binomial())).toBe("incidence");
    expect(responseText("incidence", binomial({ binomialResponse: "successesFailures", second: "healthy" }))).toBe("cbind(incidence, healthy)");
    expect(responseText("incidence", binomial({ binomialResponse: "successesTrials", second: "size" }))).toBe("cbind(incidence, size - incidence)");
    expect(responseText("p", binomial({ binomialResponse: "proportion", second: "size" }))).toBe("p");
    expect(responseText("my y", binomial({ binomialResponse: "successesTrials", second: "n 2" }))).toBe("cbind(`my y`, `n 2` - `my y`)");
    // until the second column is chosen, the response alone; a Poisson count is its column
    expect(responseText("incidence", binomial({ binomialResponse: "successesTrials" }))).toBe("incidence");
    expect(responseText("y", changeFamily(defaultFamily, { family: "poisson", second: "size" }))).toBe("y");
  });
  it("names the pickers by the form, and a proportion's trials are its weights", () => {
    expect(secondColumn(binomial())).toBeNull();
    expect(secondColumn(binomial({ binomialResponse: "successesFailures" }))).toBe("Failures");
    expect(secondColumn(binomial({ binomialResponse: "successesTrials" }))).toBe("Trials");
    expect(secondColumn(binomial({ binomialResponse: "proportion" }))).toBe("Trials");
    expect(responseLabel(binomial())).toBe("Response (0/1 or two levels)");
    expect(responseLabel(binomial({ binomialResponse: "proportion" }))).toBe("Proportion");
    expect(responseLabel(binomial({ binomialResponse: "successesTrials" }))).toBe("Successes");
    expect(responseLabel(changeFamily(defaultFamily, { family: "poisson" }))).toBe("Response (counts)");
    expect(weightsOf(binomial({ binomialResponse: "proportion", second: "size" }))).toBe("size");
    expect(weightsOf(binomial({ binomialResponse: "successesTrials", second: "size" }))).toBeUndefined();
  });
  it("forgets a failures column when the form asks for trials instead", () => {
    const f = binomial({ binomialResponse: "successesFailures", second: "healthy" });
    expect(changeFamily(f, { binomialResponse: "successesTrials" }).second).toBe("");
    const t = binomial({ binomialResponse: "successesTrials", second: "size" });
    expect(changeFamily(t, { binomialResponse: "proportion" }).second).toBe("size");
  });
  it("reads cbind(s, f) and cbind(s, n - s) back from a typed formula", () => {
    const lhs = (f: string) => modelTerms(f).response;
    expect(readCbind(lhs("cbind(incidence, size - incidence) ~ period + (1 | herd)"))).toEqual({ successes: "incidence", binomialResponse: "successesTrials", second: "size" });
    expect(readCbind(lhs("cbind(s, f) ~ x + (1 | g)"))).toEqual({ successes: "s", binomialResponse: "successesFailures", second: "f" });
    expect(readCbind(lhs("y ~ x + (1 | g)"))).toBeNull();
    expect(readCbind(lhs("cbind(s, n - m) ~ x + (1 | g)"))).toBeNull();
  });
  it("says what is missing before a fit", () => {
    const terms = modelTerms("incidence ~ period + (1 | herd)");
    expect(familyProblem(binomial({ binomialResponse: "proportion" }), terms)).toBe("Choose the Trials column: the number of trials behind each proportion (its prior weights).");
    expect(familyProblem(binomial({ binomialResponse: "successesFailures" }), terms)).toBe("Choose the Failures column beside the successes.");
    // a typed cbind() formula carries its second column
    expect(familyProblem(binomial({ binomialResponse: "successesTrials" }), modelTerms("cbind(incidence, size - incidence) ~ period + (1 | herd)"))).toBeNull();
    expect(familyProblem(binomial(), terms)).toBeNull();
    expect(familyProblem(defaultFamily, terms)).toBeNull();
  });
});

describe("points of quadrature", () => {
  it("are available with one random intercept only, and say why not otherwise", () => {
    expect(quadratureBlocked(modelTerms("y ~ x + (1 | g)"))).toBeNull();
    expect(quadratureBlocked(modelTerms("y ~ x"))).toBe("More points need a random intercept such as (1 | group); the formula has no random term.");
    expect(quadratureBlocked(modelTerms("y ~ x + (1 | g) + (1 | h)"))).toBe("More points need a single random-effects term, such as (1 | group); the formula has 2.");
    expect(quadratureBlocked(modelTerms("y ~ x + (1 | a/b)"))).toBe("More points need a single random-effects term, such as (1 | group); the formula has 2.");
    expect(quadratureBlocked(modelTerms("y ~ x + (x | g)"))).toBe("More points need the random term to be an intercept only, (1 | g); lme4 allows no slopes with them.");
    expect(quadratureBlocked(null)).toBe("More points need a formula with one random intercept such as (1 | group).");
  });
  it("fall back to 1 (Laplace) where the formula does not allow more, and for a linear mixed model", () => {
    expect(effectiveNagq(binomial({ nAGQ: 9 }), modelTerms("y ~ x + (1 | g)"))).toBe(9);
    expect(effectiveNagq(binomial({ nAGQ: 9 }), modelTerms("y ~ x + (x | g)"))).toBe(1);
    expect(effectiveNagq({ ...defaultFamily, nAGQ: 9 }, modelTerms("y ~ x + (1 | g)"))).toBe(1);
  });
});

describe("glmer's arguments", () => {
  it("as R takes them beside the formula", () => {
    expect(glmerArguments(defaultFamily, 1)).toEqual([]);
    expect(glmerArguments(binomial({ link: "probit", binomialResponse: "proportion", second: "size" }), 9)).toEqual([
      { name: "family", text: 'binomial(link = "probit")' },
      { name: "weights", text: "size" },
      { name: "nAGQ", text: "9" },
    ]);
    expect(glmerArguments(changeFamily(defaultFamily, { family: "poisson" }), 1)).toEqual([{ name: "family", text: 'poisson(link = "log")' }]);
  });
});
