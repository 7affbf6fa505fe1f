/**
 * A small Excel for the tests of `src/excel` (and `test/nothingLost.test.ts`), built from
 * office-addin-mock's `OfficeMockObject`s: properties must be loaded and synced before they can be
 * read, as in Office.js. Requests (adding and deleting sheets, writing cells, tables, charts) are
 * queued and carried out at `context.sync()`, as Excel does; a sync can be made to fail, before or
 * part-way through its requests. The workbook keeps its cells in a grid per sheet, so a test can
 * look at what was written, and `changes` logs every change carried out, with the sheet it touched.
 */
import { OfficeMockObject } from "office-addin-mock";
import { cellAddress, quoteSheetName, rangeAddress, type CellRect } from "../../common/sheet/addresses.js";

export interface FakeCell {
  value: unknown;
  numberFormat?: string;
  bold?: boolean;
}

export interface FakeTable {
  name: string;
  style: string;
  rect: CellRect;
  hasHeaders: boolean;
}

export interface FakeChart {
  type: string;
  seriesBy: string;
  source: CellRect;
  title: string;
  position: string | null;
}

/** A cell as Excel shows it, near enough for widths: a number under a `0`, `0.00`, … format with that many decimals, else its text. */
function shownText(cell: FakeCell | undefined): string {
  const v = cell?.value ?? "";
  const m = typeof v === "number" ? /^0(?:\.(0+))?$/.exec(cell?.numberFormat ?? "") : null;
  return m ? (v as number).toFixed(m[1]?.length ?? 0) : String(v);
}

export interface FakeSheet {
  id: string;
  name: string;
  cells: Map<string, FakeCell>;
  tables: FakeTable[];
  charts: FakeChart[];
  autofitted: CellRect[];
  /**
   * What Excel's autofit would fit each column to, by the last autofit: the length of the longest
   * value as shown (a number under its `0.0000`-like format) in the column's cells of the range at
   * the time (0-based column → characters).
   */
  autofitWidths: Map<number, number>;
  mock: OfficeMockObject;
}

/** A change carried out on the workbook: which sheet (its id and its name then) and what. */
export interface FakeChange {
  sheetId: string;
  sheet: string;
  kind: "add" | "delete" | "activate" | "values" | "numberFormat" | "bold" | "table" | "chart" | "autofit";
}

/** What one sync carried out: the cells written (values and number formats) and the requests. */
export interface SyncRecord {
  cellsWritten: number;
  ranges: CellRect[];
}

export interface FakeExcelOptions {
  /** Sheets of the workbook at the start, with their cells (row arrays from A1). */
  sheets?: { name: string; values?: unknown[][] }[];
  /** The selected range on the active (first) sheet (default: A1). */
  selection?: CellRect;
  /** The sync (1-based, counted over the whole life of the fake) that fails, or several. */
  failAtSync?: number | number[];
  /** How many of its requests (range writes first, then the others, in order) the failing sync carries out before it fails (default 0). */
  applyBeforeFailing?: number;
  /** An error code with which getSelectedRange fails at the next sync (e.g. "InvalidSelection"). */
  selectionError?: string;
  /** Called before each sync (1-based number) is carried out: a test acts as the user between two syncs. */
  beforeSync?: (sync: number, excel: FakeExcel) => void;
}

const key = (r: number, c: number): string => `${r},${c}`;

export class FakeExcel {
  readonly sheets: FakeSheet[] = [];
  active = 0;
  syncCount = 0;
  readonly syncs: SyncRecord[] = [];
  /** The sizes of the ranges whose values were loaded at each sync. */
  readonly loads: CellRect[] = [];
  /** Every change carried out, in order. */
  readonly changes: FakeChange[] = [];
  private nextSheetId = 1;
  private queue: (() => void)[] = [];
  private pendingRanges: { mock: OfficeMockObject; rect: CellRect; sheet: FakeSheet; initial: { values: unknown[][]; numberFormat: unknown[][] } }[] = [];
  private readonly liveRanges: OfficeMockObject[] = [];
  private itemsRequested = false;
  readonly context: OfficeMockObject;
  private readonly worksheets: OfficeMockObject;

  constructor(private readonly options: FakeExcelOptions = {}) {
    for (const s of options.sheets ?? [{ name: "Sheet1" }]) {
      const sheet = this.makeSheet(s.name);
      (s.values ?? []).forEach((row, r) => row.forEach((v, c) => sheet.cells.set(key(r, c), { value: v })));
      this.sheets.push(sheet);
    }
    const fake = this;
    this.worksheets = new OfficeMockObject({
      load(): OfficeMockObject {
        fake.itemsRequested = true;
        for (const s of fake.sheets) s.mock.load("name");
        return fake.worksheets;
      },
      add(name: string): OfficeMockObject {
        const sheet = fake.makeSheet(name);
        fake.queue.push(() => {
          if (fake.sheets.some((s) => s.name.toUpperCase() === name.toUpperCase())) throw fake.excelError("ItemAlreadyExists", `A sheet named '${name}' exists.`);
          fake.sheets.push(sheet);
          fake.changed(sheet, "add");
        });
        return sheet.mock;
      },
      getActiveWorksheet(): OfficeMockObject {
        return fake.sheets[fake.active]!.mock;
      },
      getItemOrNullObject(key: string): OfficeMockObject {
        const s = fake.sheets.find((x) => x.id === key || x.name.toUpperCase() === String(key).toUpperCase());
        return s ? s.mock : fake.nullObject({ name: "", id: "", getUsedRangeOrNullObject: () => fake.nullObject({ address: "" }) });
      },
    });
    this.context = new OfficeMockObject({
      workbook: {
        getSelectedRange(): OfficeMockObject {
          if (fake.options.selectionError) {
            const code = fake.options.selectionError;
            fake.queue.push(() => {
              throw fake.excelError(code, "The current selection is invalid for this operation.");
            });
          }
          const sheet = fake.sheets[fake.active]!;
          return fake.rangeMock(sheet, fake.options.selection ?? { row: 0, column: 0, rowCount: 1, columnCount: 1 });
        },
      },
      sync: (): Promise<void> => this.sync(),
    });
    (this.context.workbook as { worksheets: OfficeMockObject }).worksheets = this.worksheets;
  }

  /** Installs `Excel.run` (and the enums the add-in could use) as the global `Excel`. */
  install(): void {
    (globalThis as unknown as { Excel: unknown }).Excel = {
      run: async <T>(batch: (context: unknown) => Promise<T>): Promise<T> => batch(this.context),
      ChartType: { xyscatter: "XYScatter" },
      ChartSeriesBy: { columns: "Columns" },
    };
  }

  /** Adds a sheet with values at once, as the user would in Excel (not through the add-in's requests). */
  addSheetByHand(name: string, values: unknown[][] = []): FakeSheet {
    const sheet = this.makeSheet(name);
    values.forEach((row, r) => row.forEach((v, c) => sheet.cells.set(key(r, c), { value: v })));
    this.sheets.push(sheet);
    return sheet;
  }

  /** Renames a sheet, as the user would in Excel. */
  renameByHand(name: string, to: string): void {
    const sheet = this.sheet(name);
    sheet.name = to;
    (sheet.mock as unknown as { setValue(property: string, value: unknown): void }).setValue("name", to);
  }

  sheet(name: string): FakeSheet {
    const s = this.sheets.find((x) => x.name === name);
    if (!s) throw new Error(`no sheet ${name}; sheets: ${this.sheets.map((x) => x.name).join(", ")}`);
    return s;
  }

  /** The values of a block of a sheet, "" for empty cells. */
  values(sheetName: string, r: CellRect): unknown[][] {
    const s = this.sheet(sheetName);
    return Array.from({ length: r.rowCount }, (_, i) => Array.from({ length: r.columnCount }, (_, j) => s.cells.get(key(r.row + i, r.column + j))?.value ?? ""));
  }

  cell(sheetName: string, row: number, column: number): FakeCell | undefined {
    return this.sheet(sheetName).cells.get(key(row, column));
  }

  private excelError(code: string, message: string): Error {
    return Object.assign(new Error(message), { code, name: "RichApi.Error" });
  }

  /** The used range of a sheet: from A1 to the last cell with a value (A1 for an empty sheet). */
  private usedRect(sheet: FakeSheet): CellRect {
    let rows = 1;
    let cols = 1;
    for (const [k, v] of sheet.cells) {
      if (v.value === "" || v.value === null || v.value === undefined) continue;
      const [r, c] = k.split(",").map(Number) as [number, number];
      rows = Math.max(rows, r + 1);
      cols = Math.max(cols, c + 1);
    }
    return { row: 0, column: 0, rowCount: rows, columnCount: cols };
  }

  private makeSheet(name: string): FakeSheet {
    const fake = this;
    const sheet: FakeSheet = { id: `{sheet-${this.nextSheetId++}}`, name, cells: new Map(), tables: [], charts: [], autofitted: [], autofitWidths: new Map(), mock: undefined as never };
    sheet.mock = new OfficeMockObject({
      name,
      id: sheet.id,
      isNullObject: false,
      getRangeByIndexes(row: number, column: number, rowCount: number, columnCount: number): OfficeMockObject {
        return fake.rangeMock(sheet, { row, column, rowCount, columnCount });
      },
      getUsedRange(): OfficeMockObject {
        return fake.rangeMock(sheet, fake.usedRect(sheet));
      },
      getUsedRangeOrNullObject(): OfficeMockObject {
        const empty = [...sheet.cells.values()].every((c) => c.value === "" || c.value === null || c.value === undefined);
        return empty ? fake.nullObject({ address: "" }) : fake.rangeMock(sheet, fake.usedRect(sheet));
      },
      activate(): void {
        fake.queue.push(() => {
          fake.active = fake.sheets.indexOf(sheet);
          fake.changed(sheet, "activate");
        });
      },
      delete(): void {
        fake.queue.push(() => {
          const current = fake.sheets[fake.active];
          const i = fake.sheets.indexOf(sheet);
          if (i >= 0) fake.sheets.splice(i, 1);
          fake.active = current === sheet || current === undefined ? Math.min(i, fake.sheets.length - 1) : fake.sheets.indexOf(current);
          fake.active = Math.max(0, fake.active);
          fake.changed(sheet, "delete");
        });
      },
      tables: {
        add(range: OfficeMockObject, hasHeaders: boolean): OfficeMockObject {
          const rect = fake.rectOf(range);
          const table = new OfficeMockObject({ name: "", style: "" });
          fake.queue.push(() => {
            const name = String(table.name);
            const all = fake.sheets.flatMap((s) => s.tables.map((t) => t.name.toUpperCase()));
            if (name !== "" && all.includes(name.toUpperCase())) throw fake.excelError("InvalidArgument", `A table named '${name}' exists.`);
            sheet.tables.push({ name, style: String(table.style), rect, hasHeaders });
            fake.changed(sheet, "table");
          });
          return table;
        },
      },
      charts: {
        add(type: string, source: OfficeMockObject, seriesBy: string): OfficeMockObject {
          const chart: FakeChart = { type, seriesBy, source: fake.rectOf(source), title: "", position: null };
          const mock = new OfficeMockObject({
            title: { text: "" },
            setPosition(start: unknown): void {
              chart.position = typeof start === "string" ? start : rangeAddress(...(Object.values(fake.rectOf(start as OfficeMockObject)) as [number, number, number, number]));
            },
          });
          fake.queue.push(() => {
            chart.title = String((mock.title as { text: unknown }).text);
            sheet.charts.push(chart);
            fake.changed(sheet, "chart");
          });
          return mock;
        },
      },
    });
    this.withNullFlag(sheet.mock);
    return sheet;
  }

  /**
   * An object of Office.js's `…OrNullObject` calls that is the null object: `isNullObject` true (and
   * readable after the next sync once anything of it was loaded, as in Office.js).
   */
  private nullObject(props: Record<string, unknown>): OfficeMockObject {
    const mock = this.withNullFlag(new OfficeMockObject({ isNullObject: true, ...props }));
    this.liveRanges.push(mock);
    return mock;
  }

  /** Makes `isNullObject` load with whatever else is loaded of the object (Office.js sets it at every sync). */
  private withNullFlag(mock: OfficeMockObject): OfficeMockObject {
    const load = mock.load.bind(mock);
    mock.load = (what: Parameters<OfficeMockObject["load"]>[0]) => {
      load(what);
      if ("isNullObject" in mock) load("isNullObject");
      return mock;
    };
    return mock;
  }

  private readonly rects = new WeakMap<object, CellRect>();

  private rectOf(range: OfficeMockObject): CellRect {
    const r = this.rects.get(range);
    if (!r) throw new Error("not a range of this workbook");
    return r;
  }

  /** A range: address, size and values loadable; values, numberFormat and bold writable; autofit. */
  private rangeMock(sheet: FakeSheet, rect: CellRect): OfficeMockObject {
    const fake = this;
    // a range too large to hand over (whole columns) has no values here: loading them is the test's failure
    const huge = rect.rowCount * rect.columnCount > 1_000_000;
    const values = huge ? [] : this.valuesOf(sheet, rect);
    const numberFormat = values.map((row) => row.map(() => "General"));
    const mock = new OfficeMockObject({
      isNullObject: false,
      address: `${quoteSheetName(sheet.name)}!${rangeAddress(rect.row, rect.column, rect.rowCount, rect.columnCount)}`,
      rowCount: rect.rowCount,
      columnCount: rect.columnCount,
      values,
      numberFormat,
      format: {
        font: { bold: false },
        autofitColumns(): void {
          fake.queue.push(() => {
            sheet.autofitted.push(rect);
            for (let c = rect.column; c < rect.column + rect.columnCount; c++) {
              let w = 0;
              for (let r = rect.row; r < rect.row + rect.rowCount; r++) w = Math.max(w, shownText(sheet.cells.get(key(r, c))).length);
              sheet.autofitWidths.set(c, w);
            }
            fake.changed(sheet, "autofit");
          });
        },
      },
    });
    this.withNullFlag(mock);
    const originalLoad = mock.load.bind(mock);
    mock.load = (what: Parameters<OfficeMockObject["load"]>[0]) => {
      if (typeof what === "string" && what.split(",").includes("values")) fake.loads.push(rect);
      return originalLoad(what);
    };
    this.rects.set(mock, rect);
    this.pendingRanges.push({ mock, rect, sheet, initial: { values, numberFormat } });
    this.liveRanges.push(mock);
    return mock;
  }

  private valuesOf(sheet: FakeSheet, r: CellRect): unknown[][] {
    return Array.from({ length: r.rowCount }, (_, i) => Array.from({ length: r.columnCount }, (_, j) => sheet.cells.get(key(r.row + i, r.column + j))?.value ?? ""));
  }

  /** Logs a change to a sheet. */
  private changed(sheet: FakeSheet, kind: FakeChange["kind"]): void {
    this.changes.push({ sheetId: sheet.id, sheet: sheet.name, kind });
  }

  /** Carries out the queued requests (or fails, part-way if asked), then lets the mocks deliver what was loaded. */
  private async sync(): Promise<void> {
    this.syncCount++;
    this.options.beforeSync?.(this.syncCount, this);
    const record: SyncRecord = { cellsWritten: 0, ranges: [] };
    const queue = this.queue;
    const ranges = this.pendingRanges;
    this.queue = [];
    this.pendingRanges = [];
    // writes to ranges come first, in the order the ranges were made, then the other requests
    const ops: (() => void)[] = [];
    for (const { mock, rect, sheet, initial } of ranges) {
      const v = mock.values as unknown;
      const f = mock.numberFormat as unknown;
      const bold = (mock.format as { font: { bold: unknown } }).font.bold;
      if (v !== initial.values && Array.isArray(v)) {
        ops.push(() => {
          this.checkShape(v, rect, "values");
          (v as unknown[][]).forEach((row, i) => row.forEach((x, j) => (this.cellAt(sheet, rect.row + i, rect.column + j).value = x)));
          record.cellsWritten += rect.rowCount * rect.columnCount;
          record.ranges.push(rect);
          this.changed(sheet, "values");
        });
      }
      if (f !== initial.numberFormat && Array.isArray(f)) {
        ops.push(() => {
          this.checkShape(f, rect, "numberFormat");
          (f as unknown[][]).forEach((row, i) => row.forEach((x, j) => (this.cellAt(sheet, rect.row + i, rect.column + j).numberFormat = String(x))));
          this.changed(sheet, "numberFormat");
        });
      }
      if (bold === true) {
        ops.push(() => {
          for (let i = 0; i < rect.rowCount; i++) for (let j = 0; j < rect.columnCount; j++) this.cellAt(sheet, rect.row + i, rect.column + j).bold = true;
          this.changed(sheet, "bold");
        });
      }
    }
    ops.push(...queue);
    const fail = this.options.failAtSync;
    if (fail === this.syncCount || (Array.isArray(fail) && fail.includes(this.syncCount))) {
      for (const op of ops.slice(0, this.options.applyBeforeFailing ?? 0)) op();
      throw this.excelError("GeneralException", "An internal error has occurred.");
    }
    for (const op of ops) op();
    this.syncs.push(record);
    if (this.itemsRequested) {
      this.worksheets.items = this.sheets.map((s) => s.mock);
      this.itemsRequested = false;
    }
    await OfficeMockObject.prototype.sync.call(this.context);
    for (const s of this.sheets) await s.mock.sync();
    for (const mock of this.liveRanges) await mock.sync();
  }

  private cellAt(sheet: FakeSheet, r: number, c: number): FakeCell {
    let cell = sheet.cells.get(key(r, c));
    if (!cell) {
      cell = { value: "" };
      sheet.cells.set(key(r, c), cell);
    }
    return cell;
  }

  private checkShape(a: unknown[], rect: CellRect, what: string): void {
    if (a.length !== rect.rowCount || a.some((row) => !Array.isArray(row) || row.length !== rect.columnCount)) {
      throw this.excelError("InvalidArgument", `${what}: the array does not match the size of ${cellAddress(rect.row, rect.column)} (${rect.rowCount}×${rect.columnCount})`);
    }
  }
}
