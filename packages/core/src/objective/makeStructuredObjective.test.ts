import { readFileSync } from "node:fs";
import { Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { readCsv } from "../io/readCsv.js";
import { buildModel } from "../model/buildModel.js";
import type { Model } from "../model/Model.js";
import { correlationAt, naturalParameters, sdMultipliers, structureParameters, symmCorrelation } from "../structure/structureParameters.js";
import { denseDeviance } from "../../test/denseDeviance.js";
import { makeStructuredObjective } from "./makeStructuredObjective.js";

const data = (name: string) => readCsv(readFileSync(new URL(`../../test/conformance-nlme/${name}.csv`, import.meta.url), "utf8"));

/** R = D C D (up to σ²) over all rows, from the structure's own definitions of C and D. */
function residualCovariance(model: Model, u: number[]): Matrix {
  const rs = model.residual!;
  const natural = naturalParameters(rs, u);
  const d = sdMultipliers(rs, natural, model.weights, model.n);
  const symm = rs.correlation?.class === "corSymm" ? symmCorrelation(rs.positions, u) : undefined;
  const R = new Matrix(model.n, model.n);
  for (let g = 0; g < rs.levels.length; g++) {
    const rows = rs.rows.subarray(rs.start[g]!, rs.start[g + 1]!);
    for (const a of rows) {
      for (const b of rows) {
        const c = rs.correlation ? correlationAt(rs, natural, rs.time![a]!, rs.time![b]!, symm) : a === b ? 1 : 0;
        R.set(a, b, d[a]! * d[b]! * c);
      }
    }
  }
  return R;
}

const cases = [
  { data: "Ovary", formula: "follicles ~ s1 + c1 + (1 | Mare)", factors: ["Mare"], correlation: "corAR1()", variance: "" },
  { data: "Ovary", formula: "follicles ~ s1 + c1 + (1 | Mare)", factors: ["Mare"], correlation: "corCAR1(form = ~ Time)", variance: "" },
  { data: "BodyWeight", formula: "weight ~ Time * Diet + (Time | Rat)", factors: ["Rat", "Diet"], correlation: "corExp(form = ~ Time)", variance: "varIdent(form = ~ 1 | Diet)" },
  { data: "Orthodont", formula: "distance ~ age * Sex + (1 | Subject)", factors: ["Subject"], correlation: "corCompSymm(form = ~ 1 | Subject)", variance: "" },
  { data: "Orthodont", formula: "distance ~ age * Sex + (1 | Subject)", factors: ["Subject"], correlation: "corSymm(form = ~ 1 | Subject)", variance: "varIdent(form = ~ 1 | age)" },
  { data: "Orthodont", formula: "distance ~ age * Sex + (1 | Subject)", factors: ["Subject"], correlation: "corAR1(form = ~ age | Subject)", variance: "varPower(form = ~ age)" },
  { data: "Orthodont", formula: "distance ~ age * Sex + (1 | Subject)", factors: ["Subject"], correlation: "", variance: "varExp(form = ~ age)" },
];

describe("the structured objective is the profiled -2 log-likelihood of V = ZΛΛ'Z' + σ²DCD", () => {
  for (const c of cases) {
    for (const REML of [false, true]) {
      it(`${c.data} ${c.correlation || "independent"} ${c.variance} (${REML ? "REML" : "ML"}), by both ways of forming A`, () => {
        const model = buildModel(data(c.data), c.formula, { REML, factors: c.factors, correlation: c.correlation, variance: c.variance });
        const fast = makeStructuredObjective(model, model.residual!);
        const rows = makeStructuredObjective(model, model.residual!, { rowByRow: true });
        const k = fast.layout.size - structureParameters(model.residual!).size;
        // a few points away from the start, fixed (the same numbers every run)
        for (const shift of [0.3, -0.45, 0.8]) {
          const x = Array.from(fast.layout.initial, (v, i) => (i < k ? v * (1 + shift / 2) : v + shift * (0.4 + 0.2 * ((i - k) % 3))));
          const dense = denseDeviance(model, x.slice(0, k), residualCovariance(model, x.slice(k)), REML);
          // relative 1e-9: the dense n × n path loses a few digits where the correlations are strong
          expect(Math.abs(fast.evaluate(x) - dense)).toBeLessThan(1e-9 * Math.abs(dense));
          expect(Math.abs(rows.evaluate(x) - dense)).toBeLessThan(1e-9 * Math.abs(dense));
        }
      });
    }
  }
});
