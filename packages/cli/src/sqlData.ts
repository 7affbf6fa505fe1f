import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { HlmError, type SqlColumn, type SqlDialect, type SqlSource } from "@hlm/core";

/** A database the sums are computed in: its dialect, the columns of the rows to fit, and a way to run a query. */
export interface SqlData {
  dialect: Extract<SqlDialect, "duckdb" | "postgres">;
  /** What the data are, for the summary's "Data:" line. */
  name: string;
  /** A new table's name as the database knows it (in a DuckDB database file, its catalog first); null where rows come from a file and no table can be written. */
  tableName(name: string): string | null;
  source: SqlSource;
  columns: SqlColumn[];
  /** Runs a query and gives its rows as arrays of JavaScript values (numbers, strings, null). */
  query(sql: string): Promise<unknown[][]>;
  /** Runs statements that return nothing (a table written). */
  execute(sql: string): Promise<void>;
  /** Creates a temporary table (gone when the connection closes) and loads rows into it. */
  loadTemporary(name: string, columns: { name: string; type: "text" | "double" }[], rows: (string | number | null)[][]): Promise<void>;
  close(): Promise<void>;
}

/** Where the rows are: a PostgreSQL URL, a Parquet file, a DuckDB database file, or a CSV file read by DuckDB (`--engine duckdb`). */
export interface SqlDataOptions {
  table?: string;
  where?: string;
  engine?: string;
  /** A table will be written (--write-fitted): a DuckDB file is opened for writing, else read-only. */
  write?: boolean;
}

/** File endings DuckDB reads for `hlm fit` without --engine. */
const DUCKDB_FILES = [".parquet", ".duckdb", ".db"];

/** Whether the data named on the command line go through a database (DuckDB or PostgreSQL) rather than the in-memory reader. */
export function isSqlData(path: string, options: SqlDataOptions): boolean {
  if (/^postgres(ql)?:\/\//i.test(path)) return true;
  if (options.engine !== undefined) {
    const e = options.engine.trim().toLowerCase();
    if (e !== "duckdb" && e !== "memory") throw new HlmError("OPTIONS", `--engine must be duckdb or memory, not '${options.engine}'.`);
    if (e === "duckdb") return true;
    if (DUCKDB_FILES.includes(extname(path).toLowerCase())) throw new HlmError("OPTIONS", `'${path}' is read by DuckDB; --engine memory is for CSV and Excel files.`);
    return false;
  }
  return DUCKDB_FILES.includes(extname(path).toLowerCase()) || options.table !== undefined;
}

/** A literal SQL string (for a file name in DuckDB's read_parquet / read_csv). */
const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Opens the database and reads the columns of the rows to fit. */
export async function openSqlData(path: string, options: SqlDataOptions): Promise<SqlData> {
  if (/^postgres(ql)?:\/\//i.test(path)) return openPostgres(path, options);
  return openDuckDb(path, options);
}

/** The DuckDB binding, loaded only when a command needs it (it is a native module of ~30 MB). */
async function duckdb(): Promise<typeof import("@duckdb/node-api")> {
  try {
    return await import("@duckdb/node-api");
  } catch {
    throw new HlmError("OPTIONS", "Reading Parquet and DuckDB files needs DuckDB, which is not installed with this hlm: npm install -g @duckdb/node-api (or reinstall hlm with its optional dependencies).");
  }
}

/** A column type of DuckDB or PostgreSQL as the generator's kind. */
export function columnKind(type: string): SqlColumn["kind"] {
  const t = type.toUpperCase();
  if (t === "BOOLEAN" || t === "BOOL") return "boolean";
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT2|INT4|INT8|FLOAT4|FLOAT8|DOUBLE PRECISION)\b/.test(t)) return "number";
  return "text";
}

async function openDuckDb(path: string, options: SqlDataOptions): Promise<SqlData> {
  const ext = extname(path).toLowerCase();
  const isDatabase = ext === ".duckdb" || ext === ".db";
  const glob = /[*?[]/.test(path);
  if (!glob && !existsSync(path)) throw new HlmError("DATA", `Cannot read '${path}': no such file.`);
  if (isDatabase && options.table === undefined) throw new HlmError("OPTIONS", `'${path}' is a DuckDB database: name the table to fit with --table.`);
  if (!isDatabase && options.table !== undefined) throw new HlmError("OPTIONS", `--table names a table of a database (a .duckdb file or a postgresql:// URL); '${path}' is a file of rows.`);
  const { DuckDBInstance } = await duckdb();
  let from: string | undefined;
  // an in-memory DuckDB (its temporary tables live there); a database file attached to it, read-only
  // unless a table is to be written into it
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  if (isDatabase) {
    try {
      await connection.run(`ATTACH ${literal(resolve(path))} AS hlm_source${options.write ? "" : " (READ_ONLY)"}`);
    } catch (e) {
      connection.closeSync();
      throw new HlmError("DATA", `Cannot open '${path}' as a DuckDB database: ${firstLine(e)}`);
    }
  }
  if (ext === ".parquet" || (glob && path.toLowerCase().endsWith(".parquet"))) from = `read_parquet(${literal(path)})`;
  else if (!isDatabase) from = `read_csv(${literal(path)}, nullstr = ['NA', ''], auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR'])`;
  const query = refusing(async (sql: string): Promise<unknown[][]> => (await connection.runAndReadAll(sql)).getRowsJS() as unknown[][]);
  const table = isDatabase ? `hlm_source.${options.table!}` : undefined;
  const source: SqlSource = { ...(from !== undefined ? { from } : { table: table! }), ...(options.where !== undefined ? { where: options.where } : {}) };
  const what = from ?? table!.split(".").map((p) => `"${p.replaceAll('"', '""')}"`).join(".");
  let columns: SqlColumn[];
  try {
    columns = (await query(`DESCRIBE SELECT * FROM ${what}`)).map((r) => ({ name: String(r[0]), kind: columnKind(String(r[1])) }));
  } catch (e) {
    connection.closeSync();
    throw new HlmError("DATA", `Cannot read '${path}'${options.table !== undefined ? ` table '${options.table}'` : ""}: ${firstLine(e)}`);
  }
  return {
    dialect: "duckdb",
    name: options.table ?? path.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, ""),
    tableName: (name) => (isDatabase ? `hlm_source.${name}` : null),
    source,
    columns,
    query,
    execute: refusing(async (sql: string) => void (await connection.run(sql))),
    loadTemporary: refusingLoad(async (name, cols, rows) => {
      await connection.run(`CREATE TEMP TABLE "${name}" (${cols.map((c) => `"${c.name}" ${c.type === "text" ? "VARCHAR" : "DOUBLE"}`).join(", ")})`);
      const appender = await connection.createAppender(name);
      for (const row of rows) {
        row.forEach((v, j) => (v === null ? appender.appendNull() : cols[j]!.type === "text" ? appender.appendVarchar(String(v)) : appender.appendDouble(Number(v))));
        appender.endRow();
      }
      appender.closeSync();
    }),
    close: async () => connection.closeSync(),
  };
}

async function openPostgres(url: string, options: SqlDataOptions): Promise<SqlData> {
  if (options.table === undefined) throw new HlmError("OPTIONS", "A PostgreSQL database needs the table to fit: --table TABLE (or schema.table).");
  let pg: typeof import("pg");
  try {
    pg = (await import("pg")).default as unknown as typeof import("pg");
  } catch {
    throw new HlmError("OPTIONS", "Fitting from PostgreSQL needs the pg package, which is not installed with this hlm: npm install -g pg (or reinstall hlm with its optional dependencies).");
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    throw new HlmError("DATA", `Cannot connect to ${url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@")}: ${firstLine(e)}`);
  }
  // doubles and counts come back as numbers; a NUMERIC never reaches here (every value is cast)
  const query = refusing(async (sql: string): Promise<unknown[][]> => (await client.query({ text: sql, rowMode: "array" })).rows as unknown[][]);
  const table = options.table.split(".").map((p) => `"${p.replaceAll('"', '""')}"`).join(".");
  let columns: SqlColumn[];
  try {
    const r = await client.query({ text: `SELECT * FROM ${table} LIMIT 0`, rowMode: "array" });
    const types = await client.query({ text: "SELECT oid::int, typname FROM pg_type WHERE oid = ANY($1::oid[])", values: [r.fields.map((f) => f.dataTypeID)] });
    const name = new Map(types.rows.map((t: { oid: number; typname: string }) => [t.oid, t.typname]));
    columns = r.fields.map((f) => ({ name: f.name, kind: columnKind(name.get(f.dataTypeID) ?? "text") }));
  } catch (e) {
    await client.end();
    throw new HlmError("DATA", `Cannot read table '${options.table}': ${firstLine(e)}`);
  }
  return {
    dialect: "postgres",
    name: options.table,
    tableName: (name) => name,
    source: { table: options.table, ...(options.where !== undefined ? { where: options.where } : {}) },
    columns,
    query,
    execute: refusing(async (sql: string) => void (await client.query(sql))),
    loadTemporary: refusingLoad(async (name, cols, rows) => {
      await client.query(`CREATE TEMP TABLE "${name}" (${cols.map((c) => `"${c.name}" ${c.type === "text" ? "text" : "double precision"}`).join(", ")})`);
      // one statement per 50,000 rows: the columns as arrays, unnested
      for (let start = 0; start < rows.length; start += 50_000) {
        const chunk = rows.slice(start, start + 50_000);
        const arrays = cols.map((_, j) => chunk.map((r) => r[j] ?? null));
        await client.query(`INSERT INTO "${name}" SELECT * FROM unnest(${cols.map((c, j) => `$${j + 1}::${c.type === "text" ? "text" : "float8"}[]`).join(", ")})`, arrays);
      }
    }),
    close: async () => client.end(),
  };
}

/** A query whose failure in the database is one sentence (the database's first line), not a stack trace. */
function refusing<T>(run: (sql: string) => Promise<T>): (sql: string) => Promise<T> {
  return async (sql) => {
    try {
      return await run(sql);
    } catch (e) {
      if (e instanceof HlmError) throw e;
      throw new HlmError("DATA", `The database refused the query: ${firstLine(e)}`);
    }
  };
}

/** `loadTemporary` with the database's refusal as one sentence. */
function refusingLoad(load: SqlData["loadTemporary"]): SqlData["loadTemporary"] {
  return async (name, cols, rows) => {
    try {
      await load(name, cols, rows);
    } catch (e) {
      throw new HlmError("DATA", `The database refused a temporary table: ${firstLine(e)}`);
    }
  };
}

/** The first line of a database's error. */
function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.replace(/\.$/, "") + ".";
}
