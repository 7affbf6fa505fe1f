/**
 * The engine's errors about a row of the data, re-worded to name the row and the cell as the sheet
 * counts them.
 *
 * The engine (`buildModel`) knows a table, not a sheet: it numbers data rows from 1 (the first row
 * under the header), so its "row 16" of a range whose header is on sheet row 1 is sheet row 17. With
 * the range's `SheetLayout` (from `rangeRows`) this module turns such an error into one that says
 * "row 17" and "cell C17":
 *
 * - text in a column used as numbers (the engine's "should be numeric" error, whose details name a
 *   text column and the row of its first cell that is not a number): the message is the add-in's
 *   own, with the value as Excel shows it;
 * - any other error with a row (an infinite value, say): "row N" of its message becomes the sheet's
 *   row;
 * - no rows left to fit because a column of the formula has no value at all (every cell empty): the
 *   message names that column and its cells, rather than "every row has a missing value".
 *
 * Errors without a row, and everything that is not an HlmError, are returned as they are.
 */
import { columnsOf, HlmError, modelTerms, parseStructure, type Table } from "@hlm/core";
import { columnLetter, type SheetLayout } from "./rangeToTable.js";

/** Does a text cell read as a finite number (the engine's test for the numbers of a text column)? */
const readsAsNumber = (v: string): boolean => v.trim() !== "" && Number.isFinite(Number(v));

/** A cell's value as a message shows it: text in quotes (cut at 40 characters), logical values as Excel shows them. */
export function shownValue(v: string): string {
  // a logical cell (TRUE/FALSE) reaches the table as the text "true"/"false"; text typed as "true" in a cell becomes TRUE in Excel anyway
  if (v === "true" || v === "false") return `the logical value ${v.toUpperCase()}`;
  return `'${v.length > 40 ? `${v.slice(0, 39)}…` : v}'`;
}

/** The columns a formula uses, in the order it names them (none when it does not parse). */
export function formulaColumns(formula: string): string[] {
  try {
    const terms = modelTerms(formula);
    const out = new Set<string>();
    columnsOf(terms.response, out);
    for (const v of terms.fixed.variables) columnsOf(v.expr, out);
    for (const r of terms.random) {
      for (const v of r.effects.variables) columnsOf(v.expr, out);
      for (const g of r.groupExprs) columnsOf(g, out); // Subject for (1 | factor(Subject))
    }
    for (const o of terms.offsets) columnsOf(o, out);
    return [...out];
  } catch {
    return [];
  }
}

/**
 * The columns a residual correlation structure and variance function (nlme's texts) read: the
 * time or position covariate, the grouping, the strata or the variance covariate (none for a text
 * that does not parse: the engine's error says why).
 */
export function structureColumns(options: { correlation?: string | undefined; variance?: string | undefined }): string[] {
  const out = new Set<string>();
  const read = (kind: "correlation" | "variance", text: string | undefined): void => {
    if (!text?.trim()) return;
    try {
      const spec = kind === "correlation" ? parseStructure("correlation", text) : parseStructure("variance", text);
      if (spec.form.covariate !== null) out.add(spec.form.covariate);
      for (const g of spec.form.group) out.add(g);
    } catch {
      // the engine refuses it with its position
    }
  };
  read("correlation", options.correlation);
  read("variance", options.variance);
  return [...out];
}

/**
 * When a column of the formula has no value in any row (so that the engine finds no rows to fit),
 * the error that names it and its cells; otherwise null.
 */
function emptyColumnError(e: HlmError, table: Table, layout: SheetLayout, formula: string): HlmError | null {
  if (table.nrow === 0) return null;
  for (const name of formulaColumns(formula)) {
    const j = table.names.indexOf(name);
    if (j < 0) continue;
    const c = table.columns[j]!;
    const empty = c.kind === "number" ? c.missing.every((m) => m === 1) : c.values.every((v) => v === null || v === undefined);
    if (!empty) continue;
    const letter = layout.columns[j] === undefined ? null : columnLetter(layout.columns[j]!);
    const cells = letter === null ? "" : `: cells ${letter}${layout.headerRow + 2}:${letter}${layout.headerRow + 1 + table.nrow} are all empty`;
    const err = new HlmError("DATA", `Column '${name}' has no values${cells}, so no rows are left to fit.`, { column: name });
    err.cause = e;
    return err;
  }
  return null;
}

/**
 * The error `e` with its row (and cell) as the sheet counts them; see the module comment. `formula`
 * (the model's) lets an error about no rows left name the column that has no values.
 */
export function locateError(e: unknown, table: Table, layout: SheetLayout | undefined, formula?: string): unknown {
  if (!(e instanceof HlmError) || layout === undefined) return e;
  const d = e.details;
  if (d?.row === undefined) {
    if (e.code === "DATA" && formula !== undefined) return emptyColumnError(e, table, layout, formula) ?? e;
    return e;
  }
  const j = d.column === undefined ? -1 : table.names.indexOf(d.column);
  const column = j >= 0 ? table.columns[j] : undefined;
  const letter = j >= 0 && layout.columns[j] !== undefined ? columnLetter(layout.columns[j]!) : null;

  if (column?.kind === "string") {
    // the engine's text-in-a-numeric-column error names the first cell that is not a number: that one?
    const values = column.values;
    const bad = values.findIndex((v) => v !== null && v !== undefined && !readsAsNumber(v));
    if (bad >= 0 && bad + 1 === d.row && /\bnumeric\b/.test(e.message)) {
      const row = layout.headerRow + 2 + bad;
      const cell = letter === null ? "" : ` (cell ${letter}${row})`;
      const located = new HlmError(
        "DATA",
        `Column '${column.name}' should hold numbers, but row ${row} holds ${shownValue(values[bad]!)}${cell}; correct that cell or clear it.`,
        { column: column.name, row },
      );
      located.cause = e;
      return located;
    }
  }

  const row = layout.headerRow + 1 + d.row;
  const sheetRow = (r: string): number => layout.headerRow + 1 + Number(r);
  const inParens = new RegExp(`\\(row ${d.row}\\)`);
  const message = (
    inParens.test(e.message)
      ? e.message.replace(inParens, `(row ${row}${letter === null ? "" : `, cell ${letter}${row}`})`) // "(row 12, cell C12)"
      : e.message.replace(new RegExp(`\\brow ${d.row}\\b`), `row ${row}${letter === null ? "" : ` (cell ${letter}${row})`}`) // "row 12 (cell C12)"
  )
    // two rows (a tie of a residual structure's time within a group): both as the sheet counts them
    .replace(new RegExp(`\\brows (\\d+) and ${d.row}\\b`), (_, a: string) => `rows ${sheetRow(a)} and ${row}${letter === null ? "" : `, cells ${letter}${sheetRow(a)} and ${letter}${row}`}`);
  if (message === e.message) return e;
  const located = new HlmError(e.code, message, { ...d, row });
  located.cause = e;
  return located;
}
