import { describe, expect, it } from "vitest";
import { Parser } from "node-sql-parser";
import { crossProductsQuery } from "./crossProductsQuery.js";
import { declaredColumns } from "./sumsRows.js";
import { planCrossProducts } from "./planCrossProducts.js";

// The warehouses the tests cannot run (Spark SQL, BigQuery): the queries parse in their grammars
// (node-sql-parser's BigQuery and Hive, Spark SQL's parent dialect). DuckDB and PostgreSQL run them
// in packages/cli/test/databases.test.ts.
const models: [string, { factors?: string[]; weights?: string }][] = [
  ["log(MathAch + 1) ~ SES * Sector + scale(MEANSES) + I(SES^2) + offset(0.1 * SES) + (SES | School) + (1 | Sector:Sex)", { factors: ["Sector"], weights: "w" }],
  ["y ~ service + (1 | s) + (1 | d) + (1 | dept)", {}],
  ["Reaction ~ Days + (Days || Subject)", {}],
  ["y ~ round(x) + pmin(x, 2) + sin(x) + ordered(f) + relevel(factor(h), ref = \"1\") + (1 | g)", {}],
  ["y ~ poly(x, 3) * f + poly(z, 2, raw = TRUE) + (poly(x, 2) | g)", { factors: ["f"] }],
  ['y ~ I(x > 2) * I(sex == "F") + I(x * (x <= 1)) + (1 | g)', {}],
];

describe("the query in the warehouses' grammars", () => {
  const parser = new Parser();
  for (const [formula, options] of models) {
    it(formula, () => {
      const plan = planCrossProducts(formula, declaredColumns(formula, options), options);
      expect(() => parser.astify(crossProductsQuery(plan, { table: "analytics.scores", where: "year >= 2020" }, "bigquery"), { database: "BigQuery" })).not.toThrow();
      expect(() => parser.astify(crossProductsQuery(plan, { table: "analytics.scores", where: "year >= 2020" }, "spark"), { database: "Hive" })).not.toThrow();
      // and a mistake is caught: the test would see one
      expect(() => parser.astify(crossProductsQuery(plan, { table: "analytics.scores" }, "bigquery").replace("GROUP BY", "GROUP"), { database: "BigQuery" })).toThrow();
    });
  }
});
