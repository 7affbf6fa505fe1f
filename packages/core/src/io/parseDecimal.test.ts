import { describe, expect, it } from "vitest";
import { CANONICAL_NUMBER, NOT_A_NUMBER, NUMBER, parseDecimal, readDecimal } from "./parseDecimal.js";

/** readDecimal's status for the whole text, and the number it stored (NaN when none). */
function read(text: string): [number, number] {
  const out = new Float64Array([NaN]);
  const status = readDecimal(text, 0, text.length, out, 0);
  return [status, out[0]!];
}

/** A seeded pseudo-random number generator (uniform on [0, 1)). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random texts made of the characters of decimal numbers (and a few others). */
function randomTexts(count: number, seed: number): string[] {
  const rnd = random(seed);
  const chars = ["0", "0", "0", "1", "2", "5", "9", "7", ".", "-", "+", "e", "E", "x"];
  const texts: string[] = [];
  for (let k = 0; k < count; k++) {
    let t = "";
    const n = 1 + Math.floor(rnd() * 20);
    for (let i = 0; i < n; i++) t += chars[Math.floor(rnd() * chars.length)];
    texts.push(t);
  }
  return texts;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

describe("readDecimal", () => {
  it("stores the number Number() gives, for the decimal grammar only", () => {
    for (const t of randomTexts(50_000, 7)) {
      const [status, v] = read(t);
      const expected = Number(t);
      if (DECIMAL.test(t) && Number.isFinite(expected)) {
        expect(status, t).not.toBe(NOT_A_NUMBER);
        expect(v, t).toBe(expected);
        expect(parseDecimal(t, 0, t.length), t).toBe(expected);
      } else {
        expect(status, t).toBe(NOT_A_NUMBER);
        expect(v, t).toBeNaN(); // not written
        expect(parseDecimal(t, 0, t.length), t).toBeNaN();
      }
    }
  });

  it("says the number is canonical only when String(number) is the text itself", () => {
    const texts = randomTexts(50_000, 11);
    const rnd = random(13);
    for (let k = 0; k < 20_000; k++) texts.push(String(Math.round((rnd() - 0.5) * 10 ** (k % 12)) / 10 ** (k % 7)));
    let canonical = 0;
    for (const t of texts) {
      const [status, v] = read(t);
      if (status === CANONICAL_NUMBER) {
        canonical++;
        expect(String(v), t).toBe(t);
      }
    }
    expect(canonical).toBeGreaterThan(20_000);
  });

  it("knows the usual ways of writing a number", () => {
    const canonical = ["0", "1", "-1", "12.5", "-0.25", "0.001", "0.000001", "123456789012345", "99.99", "3.14159265358979"];
    const other = ["-0", "+1", "01", "1.0", "1.50", "5.", ".5", "1e3", "1E-3", "0.0000001", "0.0", "00", "0.1000000000000000055511151231257827"];
    for (const t of canonical) expect(read(t)[0], t).toBe(CANONICAL_NUMBER);
    for (const t of other) expect(read(t)[0], t).toBe(NUMBER);
    for (const t of other) expect(String(read(t)[1]), t).not.toBe(t);
    // The test is by syntax, and sufficient: a number of 16 or more digits is not called canonical, even when it is.
    expect(read("1234567890123456")[0]).toBe(NUMBER);
  });

  it("reads a part of a longer text", () => {
    const out = new Float64Array(3);
    expect(readDecimal("ab-2.5cd", 2, 6, out, 1)).toBe(CANONICAL_NUMBER);
    expect(Array.from(out)).toEqual([0, -2.5, 0]);
    expect(readDecimal("ab-2.5cd", 2, 7, out, 2)).toBe(NOT_A_NUMBER);
    expect(readDecimal("1", 1, 1, out, 2)).toBe(NOT_A_NUMBER);
  });
});
