/**
 * Names for new result sheets: Excel's rules for sheet names, and a suffix (`HLM Summary (2)`,
 * `(3)`, …) for a name that is taken, so that a result never lands on a sheet that exists.
 */

/** Excel's limit on the length of a sheet name. */
export const MAX_SHEET_NAME = 31;

/**
 * A name Excel accepts for a sheet: the characters `: \ / ? * [ ]` become `_`, control characters
 * are dropped, an apostrophe at either end is dropped, and the name is cut to 31 characters. An
 * empty result becomes `Sheet`.
 */
export function sanitizeSheetName(name: string): string {
  let s = name
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[:\\/?*[\]]/g, "_")
    .trim();
  s = s.replace(/^'+/, "").replace(/'+$/, "");
  s = [...s].slice(0, MAX_SHEET_NAME).join("").replace(/'+$/, "").trimEnd();
  return s === "" ? "Sheet" : s;
}

/** Excel compares sheet names without regard to case; `History` is reserved. */
const key = (name: string): string => name.toLocaleUpperCase();
const RESERVED = new Set(["HISTORY"]);

/**
 * A name for a new sheet that none of `taken` has (compared without case): the wanted name itself
 * when it is free, else the name with ` (2)`, ` (3)`, … cut so that the whole stays within 31
 * characters.
 */
export function uniqueSheetName(wanted: string, taken: Iterable<string>): string {
  const used = new Set<string>(RESERVED);
  for (const t of taken) used.add(key(t));
  const base = sanitizeSheetName(wanted);
  if (!used.has(key(base))) return base;
  for (let k = 2; ; k++) {
    const suffix = ` (${k})`;
    const stem = [...base].slice(0, MAX_SHEET_NAME - suffix.length).join("").trimEnd();
    const name = `${stem}${suffix}`;
    if (!used.has(key(name))) return name;
  }
}

/** Names for several new sheets at once: each unique against `existing` and against the names before it. */
export function uniqueSheetNames(wanted: readonly string[], existing: Iterable<string>): string[] {
  const taken = [...existing];
  return wanted.map((w) => {
    const name = uniqueSheetName(w, taken);
    taken.push(name);
    return name;
  });
}

/**
 * A name for an Excel table (letters, digits, `_` and `.`; starting with a letter or `_`; not
 * looking like a cell address), made from a sheet name, a section title and a token that keeps it
 * apart from tables of earlier runs: ("HLM Summary (2)", "Fixed effects", "k3x9") →
 * "HLM_Summary_2_Fixed_effects_k3x9".
 */
export function tableName(sheetName: string, title: string | undefined, token: string): string {
  const slug = (s: string): string =>
    s
      .replace(/[^A-Za-z0-9_]+/g, "_")
      .replace(/_+/g, "_")
      .replace(/^_|_$/g, "");
  const parts = [slug(sheetName), slug(title ?? ""), slug(token)].filter((p) => p !== "");
  let name = parts.join("_");
  if (!/^[A-Za-z_]/.test(name)) name = `HLM_${name}`;
  if (/^[A-Za-z]{1,3}\d+$/.test(name) || /^[RrCc]\d*$/.test(name)) name = `HLM_${name}`;
  return name.slice(0, 250);
}
