import { describe, expect, it } from "vitest";
import { HlmError } from "../HlmError.js";
import { crossProductsQuery, sumsLayout } from "./crossProductsQuery.js";
import { planCrossProducts, type SqlColumn } from "./planCrossProducts.js";
import { checkWhere, parseDialect, SQL_DIALECTS } from "./SqlDialect.js";

const columns: SqlColumn[] = [
  { name: "Reaction", kind: "number" },
  { name: "Days", kind: "number" },
  { name: "Sub ject", kind: "text" },
];
const plan = planCrossProducts("Reaction ~ log(Days + 1) + (Days | `Sub ject`)", columns);

describe("crossProductsQuery", () => {
  it("writes one query with the four blocks, in every dialect, names quoted as the dialect quotes them", () => {
    for (const d of SQL_DIALECTS) {
      const sql = crossProductsQuery(plan, { table: "lab.sleep" }, d);
      expect(sql.match(/UNION ALL/g)).toHaveLength(3);
      expect(sql).toMatch(/'rows:[0-9a-f]{8}:\["Sub ject"\]' AS block/);
      expect(sql).toMatch(/GROUP BY hlm_c0/);
      if (d === "duckdb" || d === "postgres") expect(sql).toContain('FROM "lab"."sleep"');
      else expect(sql).toContain("FROM `lab`.`sleep`");
      if (d === "duckdb" || d === "postgres") expect(sql).toContain('CAST("Sub ject" AS ');
      // log of a non-positive value is NULL (R's NaN or -Inf), never an error of the database
      expect(sql).toMatch(/CASE WHEN .* > 0 THEN LN\(/);
    }
    expect(crossProductsQuery(plan, { table: "t" }, "postgres")).toContain("DOUBLE PRECISION");
    expect(crossProductsQuery(plan, { table: "t" }, "bigquery")).toContain("FLOAT64");
  });

  it("fills every block's row to the same width", () => {
    const layout = sumsLayout(plan);
    const sql = crossProductsQuery(plan, { table: "t" }, "duckdb");
    for (const block of sql.split("UNION ALL")) expect(block.match(/ AS s\d+/g)).toHaveLength(layout.sums);
    expect(layout.keys).toBe(1);
  });

  it("keeps a row filter to one condition", () => {
    expect(crossProductsQuery(plan, { table: "t", where: "Days >= 2" }, "duckdb")).toContain("WHERE (Days >= 2)");
    expect(checkWhere("name = 'a;b'")).toBe("name = 'a;b'");
    expect(() => checkWhere("1 = 1; DROP TABLE t")).toThrow(HlmError);
    expect(() => checkWhere("1 = 1 -- x")).toThrow(/holds '--' at position 7/);
    expect(() => checkWhere("x = 'a")).toThrow(/unclosed ' quote/);
  });

  it("knows its dialects", () => {
    expect(parseDialect("PostgreSQL")).toBe("postgres");
    expect(() => parseDialect("oracle")).toThrow(/dialects are duckdb, postgres, spark, bigquery/);
  });
});
