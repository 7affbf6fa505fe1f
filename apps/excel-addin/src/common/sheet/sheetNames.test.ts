/** Names for new result sheets and their Excel tables (`sheetNames.ts`). */
import { describe, expect, it } from "vitest";
import { sanitizeSheetName, tableName, uniqueSheetName, uniqueSheetNames } from "./sheetNames.js";

describe("sheet names", () => {
  it("keeps to Excel's rules", () => {
    expect(sanitizeSheetName("a/b\\c?d*e[f]g:h")).toBe("a_b_c_d_e_f_g_h");
    expect(sanitizeSheetName("'quoted'")).toBe("quoted");
    expect(sanitizeSheetName("x".repeat(40))).toHaveLength(31);
    expect(sanitizeSheetName("")).toBe("Sheet");
  });

  it("adds (2), (3), … to a taken name, without regard to case, within 31 characters", () => {
    expect(uniqueSheetName("HLM Summary", ["Sheet1"])).toBe("HLM Summary");
    expect(uniqueSheetName("HLM Summary", ["Sheet1", "HLM Summary"])).toBe("HLM Summary (2)");
    expect(uniqueSheetName("HLM Summary", ["hlm summary", "HLM Summary (2)"])).toBe("HLM Summary (3)");
    const long = "A very long result sheet name xx"; // 32 characters
    const first = uniqueSheetName(long, []);
    expect(first).toHaveLength(31);
    const second = uniqueSheetName(long, [first]);
    expect(second).toBe(`${long.slice(0, 27)} (2)`);
    expect(second).toHaveLength(31);
    expect(uniqueSheetName("History", [])).toBe("History (2)");
  });

  it("names several sheets apart from the workbook's and from each other", () => {
    expect(uniqueSheetNames(["HLM Summary", "HLM Random Effects", "HLM Summary"], ["HLM Summary", "HLM Summary (2)"])).toEqual([
      "HLM Summary (3)",
      "HLM Random Effects",
      "HLM Summary (4)",
    ]);
  });

  it("makes table names Excel accepts", () => {
    expect(tableName("HLM Summary (2)", "Fixed effects", "k3x9")).toBe("HLM_Summary_2_Fixed_effects_k3x9");
    expect(tableName("2024", undefined, "t")).toBe("HLM_2024_t");
    expect(tableName("HLM Shrinkage", "Shrinkage: Subject", "a1")).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
});
