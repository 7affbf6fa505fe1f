import { describe, expect, it } from "vitest";
import { readCsv } from "../io/readCsv.js";
import { buildModel } from "./buildModel.js";
import { responseMoments } from "./response.js";

describe("responseMoments: the response's moments in WebAssembly, the same bits as in TypeScript", () => {
  const lines = ["y,x,o,g"];
  for (let t = 0; t < 150; t++) lines.push(`${(1e6 + Math.sin(t) * 3.7 + t / 7).toFixed(5)},${t % 4},${(t % 5) / 10},G${t % 10}`);
  const table = readCsv(lines.join("\n"));
  it.each(["y ~ x + (1 | g)", "y ~ x + offset(o) + (1 | g)"])("%s", (formula) => {
    const model = buildModel(table, formula);
    const a = responseMoments(model);
    const b = responseMoments(model, false);
    expect(a.mean).toBe(b.mean);
    expect(a.ss).toBe(b.ss);
  });
});
