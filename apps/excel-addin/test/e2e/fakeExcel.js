/**
 * An in-page fake of the few Excel JavaScript API calls that the add-in uses (see src/excel), for
 * the end-to-end test: injected before the page loads. Plain JavaScript, self-contained (it is read
 * as text and run in the page by `page.addInitScript`), defining `globalThis.Excel`, a no-op
 * `CustomFunctions` and `globalThis.__hlmFake`, the workbook the test sets up and reads back.
 *
 * Like Excel, a property of a range must be loaded (`load` then `context.sync`) before it is read,
 * `values` written must match the range's shape, and a sheet name cannot be added twice.
 *
 * Every change it carries out is logged with the sheet it touched (`__hlmFake.changes()`), and
 * `__hlmFake.snapshot()` gives the whole workbook (sheets in order, their cells, formats, tables and
 * charts, the active sheet), for tests that the user's sheets are never written and that a
 * cancelled fit leaves the workbook as it was.
 *
 * Call `installFakeExcel({ sheets: [{ name, values }], active, selection })`.
 *
 * For the benchmark (scripts/bench.mjs), `__hlmFake.stats()` counts what went through the fake: a
 * span per `Excel.run` (start and end on the page's clock, its `context.sync` calls, cells read and
 * written) and `fakeMs`, the main-thread time the fake itself spent copying cells (work that real
 * Excel does in its own process, not in the add-in's page).
 */
function installFakeExcel(setup) {
  "use strict";
  const letters = (c) => {
    let n = c + 1;
    let s = "";
    while (n > 0) {
      const r = (n - 1) % 26;
      s = String.fromCharCode(65 + r) + s;
      n = Math.floor((n - 1) / 26);
    }
    return s;
  };
  const cell = (r, c) => `${letters(c)}${r + 1}`;
  const quote = (name) => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !/^[A-Za-z]{1,3}\d+$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`);
  const parseCell = (a) => {
    const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(a.trim().toUpperCase());
    if (!m) throw new Error(`bad cell address ${a}`);
    let col = 0;
    for (const ch of m[1]) col = col * 26 + (ch.charCodeAt(0) - 64);
    return { row: Number(m[2]) - 1, column: col - 1 };
  };
  const parseRect = (a) => {
    const cells = a.includes("!") ? a.slice(a.lastIndexOf("!") + 1) : a;
    const [p, q] = cells.split(":");
    const s = parseCell(p);
    const e = q ? parseCell(q) : s;
    return { row: s.row, column: s.column, rowCount: e.row - s.row + 1, columnCount: e.column - s.column + 1 };
  };

  class ExcelError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
      this.name = "RichApi.Error";
    }
  }

  const log = [];
  /** Changes carried out: { sheet, added (a sheet the add-in added), kind }. */
  const changes = [];
  const changed = (s, kind) => changes.push({ sheet: s.name, added: s.added, kind });
  const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
  /** The spans of the `Excel.run` calls, the latest last; `current` the one running. */
  const runs = [];
  let current = null;
  const count = (what, n) => {
    if (current) current[what] += n;
  };
  /** Runs `f`, adding its time to the current run's `fakeMs`. */
  const timed = (f) => {
    const t0 = now();
    try {
      return f();
    } finally {
      count("fakeMs", now() - t0);
    }
  };
  let nextId = 1;
  const sheets = [];

  function makeSheet(name, values) {
    const s = {
      id: `sheet${nextId++}`,
      name,
      grid: (values || []).map((row) => row.slice()),
      numberFormats: [],
      bold: [],
      autofit: [],
      tables: [],
      charts: [],
      added: false,
      deleted: false,
    };
    sheets.push(s);
    return s;
  }
  for (const s of setup.sheets || []) makeSheet(s.name, s.values);
  let active = sheets.find((s) => s.name === setup.active) || sheets[0];
  let selection = setup.selection || null; // { sheet, address }

  const live = () => sheets.filter((s) => !s.deleted);
  const findSheet = (name) => live().find((s) => s.name.toUpperCase() === name.toUpperCase());
  const get = (s, r, c) => {
    const row = s.grid[r];
    const v = row ? row[c] : undefined;
    return v === undefined || v === null ? "" : v;
  };
  const put = (s, r, c, v) => {
    s.used = null;
    while (s.grid.length <= r) s.grid.push([]);
    const row = s.grid[r];
    while (row.length < c) row.push("");
    row[c] = v;
  };
  const usedRect = (s) => {
    let r1 = -1, c1 = -1, r0 = Infinity, c0 = Infinity;
    s.grid.forEach((row, r) =>
      row.forEach((v, c) => {
        if (v !== "" && v !== null && v !== undefined) {
          r0 = Math.min(r0, r);
          c0 = Math.min(c0, c);
          r1 = Math.max(r1, r);
          c1 = Math.max(c1, c);
        }
      }),
    );
    return r1 < 0 ? { row: 0, column: 0, rowCount: 1, columnCount: 1 } : { row: r0, column: c0, rowCount: r1 - r0 + 1, columnCount: c1 - c0 + 1 };
  };
  const rectAddress = (s, r) =>
    `${quote(s.name)}!${r.rowCount === 1 && r.columnCount === 1 ? cell(r.row, r.column) : `${cell(r.row, r.column)}:${cell(r.row + r.rowCount - 1, r.column + r.columnCount - 1)}`}`;
  // the used range of the given sheets, known before the page asks (Excel keeps track of it; walking
  // a 100,000-row grid in the page would be the fake's cost, not the add-in's)
  for (const s of sheets) s.used = usedRect(s);

  function makeContext() {
    const pending = [];
    const context = {
      sync: async () => {
        timed(() => {
          for (const f of pending.splice(0)) f();
        });
        log.push("sync");
        count("syncs", 1);
        await new Promise((res) => setTimeout(res, 0));
      },
    };

    function range(sheet, rect) {
      const loaded = new Set();
      const need = (p) => {
        if (!loaded.has(p)) throw new ExcelError("PropertyNotLoaded", `The property '${p}' is not available. Before reading the property's value, call the load method on the containing object and call "context.sync()" on the associated request context.`);
      };
      const shape = (v, what) => {
        if (!Array.isArray(v) || v.length !== rect.rowCount || v.some((row) => !Array.isArray(row) || row.length !== rect.columnCount)) {
          throw new ExcelError("InvalidArgument", `The number of rows or columns in the input array doesn't match the size or dimensions of the range (${what}).`);
        }
      };
      const obj = {
        load(props) {
          const list = typeof props === "string" ? props.split(",") : Array.isArray(props) ? props : Object.keys(props || {});
          pending.push(() => list.forEach((p) => loaded.add(p.trim())));
          return obj;
        },
        get address() {
          need("address");
          return rectAddress(sheet, rect);
        },
        get rowCount() {
          need("rowCount");
          return rect.rowCount;
        },
        get columnCount() {
          need("columnCount");
          return rect.columnCount;
        },
        get values() {
          need("values");
          return timed(() => {
            const out = [];
            for (let r = 0; r < rect.rowCount; r++) {
              const row = [];
              for (let c = 0; c < rect.columnCount; c++) row.push(get(sheet, rect.row + r, rect.column + c));
              out.push(row);
            }
            count("cellsRead", rect.rowCount * rect.columnCount);
            return out;
          });
        },
        set values(v) {
          shape(v, "values");
          const copy = timed(() => v.map((row) => row.map((x) => (x === null || x === undefined ? "" : x))));
          count("cellsWritten", rect.rowCount * rect.columnCount);
          pending.push(() => {
            copy.forEach((row, r) => row.forEach((x, c) => put(sheet, rect.row + r, rect.column + c, x)));
            changed(sheet, "values");
          });
        },
        set numberFormat(f) {
          if (Array.isArray(f)) {
            shape(f, "numberFormat");
            count("formatsWritten", rect.rowCount * rect.columnCount);
          }
          pending.push(() => {
            sheet.numberFormats.push({ address: rectAddress(sheet, rect), format: f });
            changed(sheet, "numberFormat");
          });
        },
        format: {
          font: {
            set bold(b) {
              pending.push(() => {
                sheet.bold.push({ address: rectAddress(sheet, rect), bold: b });
                changed(sheet, "bold");
              });
            },
          },
          autofitColumns() {
            pending.push(() => {
              sheet.autofit.push(rectAddress(sheet, rect));
              changed(sheet, "autofit");
            });
          },
        },
        __rect: rect,
        __sheet: sheet,
      };
      return obj;
    }

    function worksheet(s) {
      const ws = {
        get name() {
          return s.name;
        },
        getUsedRange: () => range(s, (s.used ??= timed(() => usedRect(s)))),
        getRangeByIndexes: (row, column, rowCount, columnCount) => {
          if (rowCount < 1 || columnCount < 1) throw new ExcelError("InvalidArgument", "A range has at least one row and one column.");
          return range(s, { row, column, rowCount, columnCount });
        },
        getRange: (address) => range(s, parseRect(address)),
        tables: {
          add(source, hasHeaders) {
            const rect = typeof source === "string" ? parseRect(source) : source.__rect;
            const t = { address: rectAddress(s, rect), hasHeaders, name: `Table${nextId++}`, style: "TableStyleMedium2" };
            pending.push(() => {
              s.tables.push(t);
              changed(s, "table");
            });
            return {
              set name(n) {
                pending.push(() => (t.name = n));
              },
              set style(v) {
                pending.push(() => (t.style = v));
              },
            };
          },
        },
        charts: {
          add(type, source, seriesBy) {
            const c = { type, source: rectAddress(s, source.__rect), seriesBy, title: null, position: null };
            pending.push(() => {
              s.charts.push(c);
              changed(s, "chart");
            });
            return {
              title: {
                set text(t) {
                  pending.push(() => (c.title = t));
                },
              },
              setPosition(start, end) {
                pending.push(() => (c.position = end ? `${start}:${end}` : String(start)));
              },
            };
          },
        },
        activate() {
          pending.push(() => {
            active = s;
            changed(s, "activate");
          });
        },
        delete() {
          pending.push(() => {
            s.deleted = true;
            if (active === s) active = live()[0];
            changed(s, "delete");
          });
        },
        // the sheet's id and name need no load here; isNullObject is false for a sheet that is there
        load() {
          return ws;
        },
        get id() {
          return s.id;
        },
        get isNullObject() {
          return false;
        },
        getUsedRangeOrNullObject: () => {
          const used = (s.used ??= timed(() => usedRect(s)));
          const empty = s.grid.every((row) => row.every((v) => v === "" || v === null || v === undefined));
          return empty ? nullObject() : range(s, used);
        },
      };
      return ws;
    }

    /** What an `…OrNullObject` call gives when there is nothing: isNullObject true, loadable. */
    const nullObject = () => {
      const o = { isNullObject: true, load: () => o, getUsedRangeOrNullObject: () => nullObject() };
      return o;
    };

    let items = null;
    const worksheets = {
      getActiveWorksheet: () => worksheet(active),
      getItem: (name) => {
        const s = findSheet(name);
        if (!s) throw new ExcelError("ItemNotFound", `The requested resource doesn't exist.`);
        return worksheet(s);
      },
      getItemOrNullObject: (key) => {
        const s = live().find((x) => x.id === key) || findSheet(key);
        return s ? worksheet(s) : nullObject();
      },
      add(name) {
        if (findSheet(name)) throw new ExcelError("ItemAlreadyExists", `A resource with the same name or identifier already exists.`);
        const s = makeSheet(name, []);
        s.added = true;
        log.push(`add ${name}`);
        changed(s, "add");
        return worksheet(s);
      },
      load(props) {
        pending.push(() => (items = live().map(worksheet)));
        void props;
        return worksheets;
      },
      get items() {
        if (items === null) throw new ExcelError("PropertyNotLoaded", "The property 'items' is not available.");
        return items;
      },
    };

    context.workbook = {
      worksheets,
      getSelectedRange() {
        if (!selection) return range(active, { row: 0, column: 0, rowCount: 1, columnCount: 1 });
        const s = findSheet(selection.sheet);
        return range(s, parseRect(selection.address));
      },
    };
    return context;
  }

  globalThis.Excel = {
    run: async (batch) => {
      const context = makeContext();
      log.push("run");
      const span = { start: now(), end: null, syncs: 0, cellsRead: 0, cellsWritten: 0, formatsWritten: 0, fakeMs: 0 };
      runs.push(span);
      current = span;
      try {
        return await batch(context);
      } finally {
        span.end = now();
        if (current === span) current = null;
      }
    },
    ChartType: { xyscatter: "XYScatter" },
    ChartSeriesBy: { columns: "Columns", rows: "Rows", auto: "Auto" },
  };
  if (!globalThis.CustomFunctions) globalThis.CustomFunctions = { associate() {} };

  globalThis.__hlmFake = {
    log,
    select(sheet, address) {
      selection = { sheet, address };
      const s = findSheet(sheet);
      if (s) active = s;
    },
    activeSheet: () => (active ? active.name : null),
    /** The `Excel.run` spans so far (copies), see the file's comment. */
    stats: () => runs.map((r) => ({ ...r })),
    sheetNames: () => live().map((s) => s.name),
    /** The changes carried out so far (copies). */
    changes: () => changes.map((c) => ({ ...c })),
    /** The whole workbook as plain data: its sheets in order (all they hold) and the active sheet. */
    snapshot: () =>
      JSON.parse(
        JSON.stringify({
          active: active ? active.name : null,
          sheets: live().map((s) => ({ name: s.name, grid: s.grid, numberFormats: s.numberFormats, bold: s.bold, autofit: s.autofit, tables: s.tables, charts: s.charts })),
        }),
      ),
    addedSheets: () => live().filter((s) => s.added).map((s) => s.name),
    sheet(name) {
      const s = findSheet(name);
      if (!s) return null;
      return { name: s.name, values: s.grid.map((row) => row.map((v) => (v === undefined ? "" : v))), numberFormats: s.numberFormats, bold: s.bold, autofit: s.autofit, tables: s.tables, charts: s.charts };
    },
  };
}
