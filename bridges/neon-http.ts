import { type AccessCheck, accessCheck, tokenPath } from "./access";
import { ConnectionPool } from "./connection-pool";
import { isLoopbackHost, loopbackDialHost } from "./loopback";
import { PgConnection, type PgField, type PgResult, PgServerError, type PgTarget, parseConnectionString } from "./postgres-wire";

/**
 * Neon's HTTP query endpoint ("SQL over HTTP"), as `neon()` and `drizzle-orm/neon-http` call it,
 * in front of a local PostgreSQL:
 *
 * - `POST /<token>/sql` with `Neon-Connection-String`, and `{query, params}` or `{queries: [...]}` (one
 *   transaction; `Neon-Batch-Isolation-Level`, `Neon-Batch-Read-Only`, `Neon-Batch-Deferrable`).
 * - `Neon-Raw-Text-Output: true` (what the driver always sends): every value is Postgres' text
 *   form and the driver parses it by `fields[].dataTypeID`. Otherwise bool, int2/int4,
 *   float4/float8, json/jsonb and arrays of them become JSON values, everything else a string.
 * - `Neon-Array-Mode: true` (also always sent by the driver): rows are arrays; otherwise objects.
 * - A Postgres error is HTTP 400 with the server's fields (`message`, `code`, `detail`, `hint`,
 *   `position`, ...), which the driver copies onto the `NeonDbError` it throws.
 *
 * Connections are pooled per connection string; only loopback hosts are reachable. A request
 * without the run's token (the path's first segment) is refused with 401, one from a web page
 * with 403 (see access.ts); no CORS header is ever sent, so no page may read a reply either.
 */

export interface NeonHttpOptions {
  /** The run's secret, the first segment of the path (see access.ts). */
  token: string;
  /** Browser origins that may send queries; none by default. */
  allowedOrigins?: readonly string[];
  /** 0 (the default) picks a free port. */
  port?: number;
  hostname?: string;
  /** Per connection string. */
  maxConnections?: number;
  /** Idle pooled connections are closed after this long. */
  idleMillis?: number;
}

export interface NeonHttpBridge {
  port: number;
  /** The value for `neonConfig.fetchEndpoint`, token included, e.g. `http://127.0.0.1:5489/<token>/sql`. */
  url: string;
  stop(): Promise<void>;
}

interface QueryData {
  query: string;
  params: Array<string | null>;
  arrayMode: boolean | undefined;
}

interface OutputOptions {
  rawText: boolean;
  arrayMode: boolean;
}

/** A request the bridge refuses before reaching Postgres. */
class RequestRefused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/** Array type OID → element type OID, for the JSON (non-raw) output. Unknown array types stay text. */
const ARRAY_ELEMENT_TYPES = new Map<number, number>([
  [1000, 16], // bool[]
  [1005, 21], // int2[]
  [1007, 23], // int4[]
  [1016, 20], // int8[]
  [1021, 700], // float4[]
  [1022, 701], // float8[]
  [1231, 1700], // numeric[]
  [1009, 25], // text[]
  [1015, 1043], // varchar[]
  [1014, 1042], // bpchar[]
  [199, 114], // json[]
  [3807, 3802], // jsonb[]
  [2951, 2950], // uuid[]
  [1182, 1082], // date[]
  [1115, 1114], // timestamp[]
  [1185, 1184], // timestamptz[]
  [1001, 17], // bytea[]
  [1028, 26], // oid[]
]);

/**
 * Starts the HTTP endpoint on 127.0.0.1.
 *
 * @example
 * const bridge = startNeonHttp({ token, port: 0 });
 * neonConfig.fetchEndpoint = bridge.url;
 */
export function startNeonHttp(options: NeonHttpOptions): NeonHttpBridge {
  const refused = accessCheck(options, (status, message) => json(status, { message }));
  const pools = new Map<string, ConnectionPool<PgConnection>>();
  const poolFor = (target: PgTarget): ConnectionPool<PgConnection> => {
    const key = JSON.stringify(target);
    let pool = pools.get(key);
    if (!pool) {
      pool = new ConnectionPool({
        open: () => PgConnection.open(target),
        max: options.maxConnections ?? 10,
        idleMillis: options.idleMillis ?? 60_000,
      });
      pools.set(key, pool);
    }
    return pool;
  };

  const server = Bun.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    // A long query must not be cut off by the HTTP idle timer.
    idleTimeout: 0,
    fetch: (request) => handleQueryRequest(request, refused, poolFor),
  });
  const port = server.port ?? 0;
  return {
    port,
    url: `http://${options.hostname ?? "127.0.0.1"}:${port}/${options.token}/sql`,
    async stop() {
      await server.stop(true);
      for (const pool of pools.values()) pool.close();
      pools.clear();
    },
  };
}

async function handleQueryRequest(
  request: Request,
  refused: AccessCheck,
  poolFor: (target: PgTarget) => ConnectionPool<PgConnection>,
): Promise<Response> {
  try {
    const { token, path } = tokenPath(new URL(request.url).pathname);
    const refusal = refused(request, token);
    if (refusal) return refusal;
    if (path !== "/sql" && path !== "/") throw new RequestRefused(404, "not found: POST queries to /<token>/sql");
    if (request.method !== "POST") throw new RequestRefused(405, "POST queries to /<token>/sql");
    const target = targetFrom(request.headers.get("Neon-Connection-String"));
    const output = {
      // Neon counts only the exact value "true"; anything else is false.
      rawText: request.headers.get("Neon-Raw-Text-Output") === "true",
      arrayMode: request.headers.get("Neon-Array-Mode") === "true",
    };
    const payload = await readPayload(request);
    const pool = poolFor(target);
    if (Array.isArray(payload)) {
      const tx = transactionOptions(request.headers);
      const results = await pool.use((conn) => runTransaction(conn, payload, tx.begin, output));
      return json(200, { results }, tx.echo);
    }
    const result = await pool.use((conn) => conn.query(payload.query, payload.params));
    return json(200, formatResult(result, { ...output, arrayMode: payload.arrayMode ?? output.arrayMode }));
  } catch (error) {
    if (error instanceof RequestRefused) return json(error.status, { message: error.message });
    if (error instanceof PgServerError) return json(400, { message: error.message, ...error.fields });
    // Postgres unreachable or the connection broke: not the query's fault.
    return json(502, { message: `neon-http bridge: ${error instanceof Error ? error.message : String(error)}` });
  }
}

function targetFrom(connectionString: string | null): PgTarget {
  if (!connectionString) throw new RequestRefused(400, "missing Neon-Connection-String header");
  let target: PgTarget;
  try {
    target = parseConnectionString(connectionString);
  } catch (error) {
    throw new RequestRefused(400, `invalid Neon-Connection-String: ${(error as Error).message}`);
  }
  if (!isLoopbackHost(target.host)) {
    throw new RequestRefused(400, `neon-http bridge: refusing ${target.host}, only loopback hosts (127.0.0.0/8, ::1, localhost)`);
  }
  return { ...target, host: loopbackDialHost(target.host) };
}

async function readPayload(request: Request): Promise<QueryData | QueryData[]> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new RequestRefused(400, "request body is not JSON");
  }
  if (typeof body === "object" && body !== null && "queries" in body) {
    const { queries } = body;
    if (!Array.isArray(queries)) throw new RequestRefused(400, "queries must be an array");
    return queries.map(readQuery);
  }
  return readQuery(body);
}

function readQuery(value: unknown): QueryData {
  if (typeof value !== "object" || value === null) throw new RequestRefused(400, "expected {query, params}");
  const { query, params, arrayMode } = value as Record<string, unknown>;
  if (typeof query !== "string") throw new RequestRefused(400, "query must be a string");
  if (params !== undefined && params !== null && !Array.isArray(params)) throw new RequestRefused(400, "params must be an array");
  if (arrayMode !== undefined && typeof arrayMode !== "boolean") throw new RequestRefused(400, "arrayMode must be a boolean");
  return { query, params: (params ?? []).map(toPgText), arrayMode };
}

/** JSON parameter → Postgres text, as Neon converts them (the driver itself already sends strings or null). */
function toPgText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return toPgArray(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function toPgArray(values: unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return "NULL";
    if (Array.isArray(v)) return toPgArray(v);
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    const text = typeof v === "string" ? v : JSON.stringify(v);
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}

function transactionOptions(headers: Headers): { begin: string; echo: Record<string, string> } {
  const clauses: string[] = [];
  const echo: Record<string, string> = {};
  const isolation = headers.get("Neon-Batch-Isolation-Level");
  if (isolation !== null) {
    const level = ISOLATION_LEVELS[isolation];
    if (!level) throw new RequestRefused(400, "invalid isolation level");
    clauses.push(`ISOLATION LEVEL ${level}`);
    echo["Neon-Batch-Isolation-Level"] = isolation;
  }
  if (headers.get("Neon-Batch-Read-Only") === "true") {
    clauses.push("READ ONLY");
    echo["Neon-Batch-Read-Only"] = "true";
  }
  if (headers.get("Neon-Batch-Deferrable") === "true") {
    clauses.push("DEFERRABLE");
    echo["Neon-Batch-Deferrable"] = "true";
  }
  return { begin: ["BEGIN", ...clauses].join(" "), echo };
}

async function runTransaction(conn: PgConnection, queries: QueryData[], begin: string, output: OutputOptions) {
  await conn.query(begin);
  const results: Array<ReturnType<typeof formatResult>> = [];
  try {
    for (const q of queries) {
      const result = await conn.query(q.query, q.params);
      results.push(formatResult(result, { ...output, arrayMode: q.arrayMode ?? output.arrayMode }));
    }
    await conn.query("COMMIT");
  } catch (error) {
    // Leave the session idle for the next caller; if even that fails the pool drops the connection.
    await conn.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return results;
}

/** The reply for one statement: what node-postgres calls a result, as Neon serialises it. */
function formatResult(result: PgResult, output: OutputOptions) {
  const { fields } = result;
  const value = (text: string | null, column: number): unknown => {
    if (text === null || output.rawText) return text;
    return textToJson(text, (fields[column] as PgField).dataTypeID);
  };
  const rows = output.arrayMode
    ? result.rows.map((row) => row.map(value))
    : result.rows.map((row) => Object.fromEntries(row.map((text, i) => [(fields[i] as PgField).name, value(text, i)])));
  return { fields, ...commandTag(result.commandTag), rows, rowAsArray: output.arrayMode };
}

/** "INSERT 0 3" → INSERT, 3; "SELECT 2" → SELECT, 2; "CREATE TABLE" → CREATE, null (Neon splits at the first space too). */
function commandTag(tag: string): { command: string; rowCount: number | null } {
  const space = tag.indexOf(" ");
  if (space === -1) return { command: tag, rowCount: null };
  const command = tag.slice(0, space);
  const rest = tag.slice(space + 1);
  const count = command === "INSERT" ? rest.split(" ")[1] : rest;
  return { command, rowCount: count !== undefined && /^\d+$/.test(count) ? Number(count) : null };
}

/** Postgres text → JSON value, for clients that ask for parsed output (`Neon-Raw-Text-Output` not true). */
function textToJson(text: string, typeId: number): unknown {
  const element = ARRAY_ELEMENT_TYPES.get(typeId);
  if (element !== undefined) return parseArray(text, element);
  switch (typeId) {
    case 16:
      return text === "t";
    case 21:
    case 23:
      return Number(text);
    case 700:
    case 701: {
      // NaN and ±Infinity have no JSON number: they stay strings.
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 114:
    case 3802:
      return JSON.parse(text);
    default:
      return text;
  }
}

/** Parses an array literal such as `{1,NULL,"a \"b\""}` or `[0:1]={{1,2},{3,4}}`. */
function parseArray(text: string, elementType: number): unknown[] {
  let i = text.startsWith("[") ? text.indexOf("=") + 1 : 0;
  const parseList = (): unknown[] => {
    if (text[i] !== "{") throw new Error("malformed array literal");
    i++;
    const items: unknown[] = [];
    if (text[i] === "}") {
      i++;
      return items;
    }
    for (;;) {
      if (text[i] === "{") items.push(parseList());
      else if (text[i] === '"') {
        let item = "";
        for (i++; text[i] !== '"'; i++) {
          if (i >= text.length) throw new Error("malformed array literal");
          if (text[i] === "\\") i++;
          item += text[i];
        }
        i++;
        items.push(textToJson(item, elementType));
      } else {
        const start = i;
        while (i < text.length && text[i] !== "," && text[i] !== "}") i++;
        const item = text.slice(start, i).trim();
        items.push(item === "NULL" ? null : textToJson(item, elementType));
      }
      if (text[i] === ",") i++;
      else if (text[i] === "}") {
        i++;
        return items;
      } else throw new Error("malformed array literal");
    }
  };
  return parseList();
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
