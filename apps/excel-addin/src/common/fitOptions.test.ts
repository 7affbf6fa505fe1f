import { describe, expect, it } from "vitest";
import { parseDdf, parseFitOptions, splitOptions } from "./fitOptions.js";
import { messageOf as errorMessage } from "../../test/expectations.js";

/** The message of the HlmError a call throws (and that it is an OPTIONS error). */
const messageOf = (f: () => unknown): string => errorMessage(f, "OPTIONS");


describe("splitOptions", () => {
  it("splits at semicolons and line breaks, but not inside parentheses or backquotes", () => {
    expect(splitOptions("correlation=corAR1(form = ~ Time | Rat); variance=varIdent(form = ~ 1 | Diet);ddf=containment")).toEqual([
      "correlation=corAR1(form = ~ Time | Rat)",
      "variance=varIdent(form = ~ 1 | Diet)",
      "ddf=containment",
    ]);
    expect(splitOptions("correlation=corAR1(form = ~ `a;b` | g)\nddf=containment;;  ")).toEqual(["correlation=corAR1(form = ~ `a;b` | g)", "ddf=containment"]);
    expect(splitOptions("  ")).toEqual([]);
  });
});

describe("parseFitOptions", () => {
  it("reads nothing from a blank or missing argument: Satterthwaite's df, no structure", () => {
    for (const v of [undefined, null, "", "  ", ";"]) expect(parseFitOptions(v)).toEqual({ ddf: "satterthwaite" });
  });

  it("reads the correlation structure and variance function as nlme's texts, the ddf, factors and weights; keys in any case", () => {
    expect(parseFitOptions("correlation=corAR1(form = ~ Time | Rat); variance=varIdent(form = ~ 1 | Diet); ddf=containment")).toEqual({
      correlation: "corAR1(form = ~ Time | Rat)",
      variance: "varIdent(form = ~ 1 | Diet)",
      ddf: "containment",
    });
    expect(parseFitOptions(" Correlation = corCAR1(form = ~ Time) ; FACTORS = Rat, `Diet` ; Weights = w ")).toEqual({
      correlation: "corCAR1(form = ~ Time)",
      ddf: "satterthwaite",
      factors: ["Rat", "Diet"],
      weights: "w",
    });
  });

  it("refuses an unknown key, naming the keys and the likely one", () => {
    expect(messageOf(() => parseFitOptions("corr=corAR1()"))).toBe(
      "Unknown option 'corr' in the options 'corr=corAR1()' (did you mean 'correlation'?); the options are correlation, variance, ddf, factors, weights, family, link, nagq, columns, where.",
    );
    expect(messageOf(() => parseFitOptions("varience=varPower(form = ~ x)"))).toContain("(did you mean 'variance'?)");
    expect(messageOf(() => parseFitOptions("colour=red"))).toBe("Unknown option 'colour' in the options 'colour=red'; the options are correlation, variance, ddf, factors, weights, family, link, nagq, columns, where.");
    expect(messageOf(() => parseFitOptions("corAR1()"))).toBe(
      "'corAR1()' in the options 'corAR1()' is not of the form key=value (such as correlation=corAR1()); the options are correlation, variance, ddf, factors, weights, family, link, nagq, columns, where.",
    );
  });

  it("refuses a repeated key, a key without a value, the method as an option, and nlme's weights = varIdent(...) as weights", () => {
    expect(messageOf(() => parseFitOptions("ddf=containment; ddf=satterthwaite"))).toBe("The option ddf is given twice in the options 'ddf=containment; ddf=satterthwaite'; give it once.");
    expect(messageOf(() => parseFitOptions("correlation="))).toBe("The option correlation has no value in the options 'correlation='; write it as correlation=corAR1().");
    expect(messageOf(() => parseFitOptions("method=ML"))).toBe('The method is an argument of its own ("REML" or "ML"), not an option; leave \'method=ML\' out of the options.');
    expect(messageOf(() => parseFitOptions("weights=varIdent(form = ~ 1 | Sex)"))).toBe(
      "The option weights names a column of prior weights; give nlme's variance function 'varIdent(form = ~ 1 | Sex)' as variance=varIdent(form = ~ 1 | Sex).",
    );
    expect(messageOf(() => parseFitOptions(3))).toBe('The options must be text such as "correlation=corAR1(); ddf=containment", not 3.');
  });
});

describe("parseDdf", () => {
  it("reads satterthwaite (the default) and containment (or nlme), any case", () => {
    expect([undefined, "", "Satterthwaite", "containment", " CONTAINMENT ", "nlme"].map(parseDdf)).toEqual(["satterthwaite", "satterthwaite", "satterthwaite", "containment", "containment", "containment"]);
    expect(messageOf(() => parseDdf("kenward-roger"))).toBe('The option ddf must be "satterthwaite" (lmerTest\'s, the default) or "containment" (nlme\'s), not "kenward-roger".');
  });
});

describe("parseFitOptions: a generalized linear mixed model's family, link and points of quadrature", () => {
  it("reads family, link and nagq in any case; gaussian is the linear mixed model", () => {
    expect(parseFitOptions("family=Binomial; link=PROBIT; nagq=9; weights=size")).toEqual({ ddf: "satterthwaite", family: "binomial", link: "probit", nAGQ: 9, weights: "size" });
    expect(parseFitOptions("family=poisson")).toEqual({ ddf: "satterthwaite", family: "poisson" });
    expect(parseFitOptions("family=gaussian")).toEqual({ ddf: "satterthwaite" });
  });
  it("refuses in one sentence what does not go with them", () => {
    expect(messageOf(() => parseFitOptions("family=binomial; link=log"))).toBe("The binomial family takes the link 'logit', 'probit', 'cloglog', not 'log'.");
    expect(messageOf(() => parseFitOptions("nagq=5"))).toBe("The option nagq in 'nagq=5' is for a generalized linear mixed model; give family=binomial or family=poisson with it.");
    expect(messageOf(() => parseFitOptions("family=poisson; nagq=1.5"))).toBe("The option nagq must be a whole number from 1 to 100 (1 is the Laplace approximation), not '1.5'.");
    expect(messageOf(() => parseFitOptions("family=binomial; variance=varIdent(form = ~ 1 | Sex)"))).toBe(
      "The option variance in 'family=binomial; variance=varIdent(form = ~ 1 | Sex)' is for a linear mixed model; a binomial model (family=binomial) takes no residual structure and has z tests, so leave it out.",
    );
    expect(messageOf(() => parseFitOptions("famly=binomial"))).toBe("Unknown option 'famly' in the options 'famly=binomial' (did you mean 'family'?); the options are correlation, variance, ddf, factors, weights, family, link, nagq, columns, where.");
    expect(messageOf(() => parseFitOptions("family="))).toBe("The option family has no value in the options 'family='; write it as family=binomial.");
  });
});
