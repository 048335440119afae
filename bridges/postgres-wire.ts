import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { connect, type Socket } from "node:net";
import type { Poolable } from "./connection-pool";

/**
 * Just enough of the PostgreSQL frontend/backend protocol (v3) for the Neon HTTP bridge: startup
 * with trust, cleartext, MD5 or SCRAM-SHA-256 authentication, and one statement at a time through
 * the extended query protocol with text parameters and text results — what Neon's own HTTP
 * endpoint does, so a multi-statement string fails here as it does there.
 */

/** Where and as whom to connect; `params` are extra startup parameters (application_name...). */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  params: Record<string, string>;
}

/** A result column, with the names node-postgres and Neon use. */
export interface PgField {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: "text";
}

/** One statement's outcome: columns, rows of text values (null for SQL NULL), and the command tag ("INSERT 0 1"). */
export interface PgResult {
  fields: PgField[];
  rows: Array<Array<string | null>>;
  commandTag: string;
}

/** The fields of an ErrorResponse, under the names node-postgres (and so the Neon driver) uses. */
export interface PgErrorFields {
  severity?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
}

/** An error the server reported; `fields` carries everything it said besides the message. */
export class PgServerError extends Error {
  readonly fields: PgErrorFields;
  constructor(message: string, fields: PgErrorFields) {
    super(message);
    this.name = "PgServerError";
    this.fields = fields;
  }
}

const ERROR_FIELD_NAMES: Record<string, keyof PgErrorFields> = {
  V: "severity",
  C: "code",
  D: "detail",
  H: "hint",
  P: "position",
  p: "internalPosition",
  q: "internalQuery",
  W: "where",
  s: "schema",
  t: "table",
  c: "column",
  d: "dataType",
  n: "constraint",
  F: "file",
  L: "line",
  R: "routine",
};

/**
 * Reads a `postgres://user:password@host:port/database?application_name=...` URL.
 *
 * @example parseConnectionString("postgresql://postgres@127.0.0.1:5432/test").database // "test"
 */
export function parseConnectionString(text: string): PgTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error("connection string is not a valid URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new Error("connection string must start with postgres:// or postgresql://");
  }
  const user = decodeURIComponent(url.username);
  if (!user || !url.hostname) throw new Error("connection string needs a user and a host");
  const params: Record<string, string> = {};
  const applicationName = url.searchParams.get("application_name");
  if (applicationName) params.application_name = applicationName;
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    user,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || user,
    params,
  };
}

/** Reassembles backend messages (type byte, int32 length, body) from TCP chunks, copying each byte at most once more. */
class MessageReader {
  #chunks: Buffer[] = [];
  #size = 0;
  #need = 5;

  push(chunk: Buffer, onMessage: (type: number, body: Buffer) => void): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    // A large DataRow arrives in many chunks: wait for all of it instead of re-joining on every chunk.
    if (this.#size < this.#need) return;
    const buf = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#size);
    let offset = 0;
    let need = 5;
    while (buf.length - offset >= 5) {
      const end = offset + 1 + buf.readInt32BE(offset + 1);
      if (end > buf.length) {
        need = end - offset;
        break;
      }
      onMessage(buf[offset] as number, buf.subarray(offset + 5, end));
      offset = end;
    }
    const rest = buf.subarray(offset);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#size = rest.length;
    this.#need = need;
  }
}

/** Builds one frontend message: type byte (none for startup), int32 length, body. */
function message(type: string | undefined, ...parts: Buffer[]): Buffer {
  const bodyLength = parts.reduce((n, p) => n + p.length, 0);
  const head = Buffer.alloc(type ? 5 : 4);
  if (type) head.write(type, 0, "latin1");
  head.writeInt32BE(bodyLength + 4, type ? 1 : 0);
  return Buffer.concat([head, ...parts]);
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, "utf8");
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function readCString(body: Buffer, offset: number): { text: string; next: number } {
  const end = body.indexOf(0, offset);
  const stop = end === -1 ? body.length : end;
  return { text: body.toString("utf8", offset, stop), next: stop + 1 };
}

function parseError(body: Buffer): PgServerError {
  const fields: PgErrorFields = {};
  let summary = "";
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const code = String.fromCharCode(body[offset] as number);
    const { text, next } = readCString(body, offset + 1);
    offset = next;
    if (code === "M") summary = text;
    else if (code === "S") fields.severity ??= text;
    else {
      const name = ERROR_FIELD_NAMES[code];
      if (name) fields[name] = text;
    }
  }
  return new PgServerError(summary, fields);
}

function parseRowDescription(body: Buffer): PgField[] {
  const count = body.readInt16BE(0);
  const fields: PgField[] = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const { text: name, next } = readCString(body, offset);
    fields.push({
      name,
      tableID: body.readUInt32BE(next),
      columnID: body.readInt16BE(next + 4),
      dataTypeID: body.readUInt32BE(next + 6),
      dataTypeSize: body.readInt16BE(next + 10),
      dataTypeModifier: body.readInt32BE(next + 12),
      format: "text",
    });
    offset = next + 18;
  }
  return fields;
}

function parseDataRow(body: Buffer): Array<string | null> {
  const count = body.readInt16BE(0);
  const row: Array<string | null> = new Array(count);
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length < 0) row[i] = null;
    else {
      row[i] = body.toString("utf8", offset, offset + length);
      offset += length;
    }
  }
  return row;
}

/** Parse, Bind (text parameters, text results), Describe, Execute and Sync for the unnamed statement. */
function extendedQuery(sql: string, params: ReadonlyArray<string | null>): Buffer {
  if (params.length > 65535) throw new Error(`too many parameters (${params.length}; Postgres allows 65535)`);
  const values = params.map((p) => {
    if (p === null) return int32(-1);
    const bytes = Buffer.from(p, "utf8");
    return Buffer.concat([int32(bytes.length), bytes]);
  });
  return Buffer.concat([
    message("P", cstring(""), cstring(sql), int16(0)),
    message("B", cstring(""), cstring(""), int16(0), int16(params.length), ...values, int16(1), int16(0)),
    message("D", Buffer.from("P"), cstring("")),
    message("E", cstring(""), int32(0)),
    message("S"),
  ]);
}

interface Operation {
  onMessage(type: number, body: Buffer): void;
  fail(error: Error): void;
}

/** The SCRAM-SHA-256 exchange (RFC 5802/7677), without channel binding: the bridge never uses TLS to a loopback server. */
class ScramSession {
  readonly #password: string;
  readonly #clientNonce = randomBytes(18).toString("base64");
  #expectedServerSignature: Buffer | undefined;

  constructor(password: string) {
    this.#password = password;
  }

  get clientFirstBare(): string {
    return `n=*,r=${this.#clientNonce}`;
  }

  clientFinal(serverFirst: string): string {
    const attrs = new Map(serverFirst.split(",").map((kv) => [kv.slice(0, 1), kv.slice(2)] as const));
    const nonce = attrs.get("r") ?? "";
    const salt = Buffer.from(attrs.get("s") ?? "", "base64");
    const iterations = Number(attrs.get("i"));
    if (!nonce.startsWith(this.#clientNonce) || salt.length === 0 || !Number.isInteger(iterations) || iterations < 1) {
      throw new Error("SCRAM: malformed server-first-message");
    }
    const salted = pbkdf2Sync(this.#password.normalize("NFKC"), salt, iterations, 32, "sha256");
    const clientKey = createHmac("sha256", salted).update("Client Key").digest();
    const storedKey = createHash("sha256").update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac("sha256", storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] as number)));
    const serverKey = createHmac("sha256", salted).update("Server Key").digest();
    this.#expectedServerSignature = createHmac("sha256", serverKey).update(authMessage).digest();
    return `${withoutProof},p=${proof.toString("base64")}`;
  }

  verify(serverFinal: string): void {
    const given = Buffer.from(serverFinal.replace(/^v=/, ""), "base64");
    const expected = this.#expectedServerSignature;
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Error("SCRAM: the server's signature does not match");
    }
  }
}

/**
 * One session with a Postgres server. Statements run one at a time (the pool gives each caller
 * its own connection); `reusable` turns false when the socket broke or a transaction was left open.
 */
export class PgConnection implements Poolable {
  readonly #socket: Socket;
  readonly #reader = new MessageReader();
  #op: Operation | undefined;
  #failure: Error | undefined;
  #status = "I";

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      try {
        this.#reader.push(chunk, (type, body) => this.#dispatch(type, body));
      } catch (error) {
        this.#fail(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      }
    });
    socket.on("error", (error) => this.#fail(error));
    socket.on("close", () => this.#fail(new Error("connection to Postgres closed")));
  }

  /** Connects and authenticates; rejects with a {@link PgServerError} when the server refuses (no such database...). */
  static open(target: PgTarget, timeoutMillis = 10_000): Promise<PgConnection> {
    const conn = new PgConnection(connect({ host: target.host, port: target.port }));
    return new Promise<PgConnection>((resolve, reject) => {
      const timer = setTimeout(() => {
        conn.#fail(new Error(`timed out connecting to Postgres at ${target.host}:${target.port}`));
        conn.#socket.destroy();
      }, timeoutMillis);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        conn.#op = undefined;
        if (error) {
          conn.#socket.destroy();
          reject(error);
        } else resolve(conn);
      };
      let scram: ScramSession | undefined;
      let error: PgServerError | undefined;
      conn.#op = {
        fail: (e) => settle(e),
        onMessage: (type, body) => {
          try {
            if (type === 0x52 /* R: authentication */) scram = conn.#authenticate(target, body, scram);
            else if (type === 0x45 /* E */) {
              // A startup error ends the connection: no ReadyForQuery follows.
              error = parseError(body);
              settle(error);
            } else if (type === 0x5a /* Z: ready */) {
              conn.#status = String.fromCharCode(body[0] as number);
              settle(error);
            }
          } catch (e) {
            settle(e instanceof Error ? e : new Error(String(e)));
          }
        },
      };
      const params: Record<string, string> = {
        user: target.user,
        database: target.database,
        client_encoding: "UTF8",
        ...target.params,
      };
      const pairs = Object.entries(params).flatMap(([k, v]) => [cstring(k), cstring(v)]);
      conn.#socket.write(message(undefined, int32(196608), ...pairs, Buffer.from([0])));
    });
  }

  #authenticate(target: PgTarget, body: Buffer, scram: ScramSession | undefined): ScramSession | undefined {
    const kind = body.readInt32BE(0);
    const needPassword = (): string => {
      if (target.password === undefined) throw new Error("the server asks for a password; put it in the connection string");
      return target.password;
    };
    switch (kind) {
      case 0: // AuthenticationOk
        return scram;
      case 3: // cleartext
        this.#socket.write(message("p", cstring(needPassword())));
        return scram;
      case 5: {
        // MD5: md5(md5(password + user) + salt)
        const inner = createHash("md5")
          .update(needPassword() + target.user)
          .digest("hex");
        const outer = createHash("md5").update(inner).update(body.subarray(4, 8)).digest("hex");
        this.#socket.write(message("p", cstring(`md5${outer}`)));
        return scram;
      }
      case 10: {
        const mechanisms = body.toString("utf8", 4).split("\0");
        if (!mechanisms.includes("SCRAM-SHA-256")) throw new Error(`unsupported SASL mechanisms: ${mechanisms.join(", ")}`);
        const session = new ScramSession(needPassword());
        const first = Buffer.from(`n,,${session.clientFirstBare}`, "utf8");
        this.#socket.write(message("p", cstring("SCRAM-SHA-256"), int32(first.length), first));
        return session;
      }
      case 11:
        if (!scram) throw new Error("SCRAM: unexpected SASLContinue");
        this.#socket.write(message("p", Buffer.from(scram.clientFinal(body.toString("utf8", 4)), "utf8")));
        return scram;
      case 12:
        scram?.verify(body.toString("utf8", 4));
        return scram;
      default:
        throw new Error(`unsupported authentication request ${kind}`);
    }
  }

  /** True while the session is healthy, idle and outside any transaction. */
  get reusable(): boolean {
    return this.#failure === undefined && this.#op === undefined && this.#status === "I";
  }

  /** Runs one statement with text parameters; rejects with a {@link PgServerError} for SQL errors. */
  query(sql: string, params: ReadonlyArray<string | null> = []): Promise<PgResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#op) return Promise.reject(new Error("PgConnection runs one statement at a time"));
    const bytes = extendedQuery(sql, params);
    return new Promise<PgResult>((resolve, reject) => {
      let fields: PgField[] = [];
      const rows: Array<Array<string | null>> = [];
      let commandTag = "";
      let error: PgServerError | undefined;
      this.#op = {
        fail: reject,
        onMessage: (type, body) => {
          switch (type) {
            case 0x54: // T: RowDescription
              fields = parseRowDescription(body);
              break;
            case 0x44: // D: DataRow
              rows.push(parseDataRow(body));
              break;
            case 0x43: // C: CommandComplete
              commandTag = readCString(body, 0).text;
              break;
            case 0x45: // E: the server skips to Sync, so ReadyForQuery still follows
              error ??= parseError(body);
              break;
            case 0x47: // G: COPY FROM STDIN has no data to read over this bridge
              this.#socket.write(message("f", cstring("COPY FROM STDIN is not supported over HTTP")));
              break;
            case 0x5a: // Z: ReadyForQuery
              this.#status = String.fromCharCode(body[0] as number);
              this.#op = undefined;
              if (error) reject(error);
              else resolve({ fields, rows, commandTag });
              break;
            default:
            // ParseComplete, BindComplete, NoData, EmptyQueryResponse, COPY OUT data: nothing to keep.
          }
        },
      };
      this.#socket.write(bytes);
    });
  }

  /** Ends the session politely (Terminate), then the socket. */
  close(): void {
    if (!this.#socket.destroyed) {
      this.#socket.end(message("X"));
      // A server that does not close promptly is cut off.
      setTimeout(() => this.#socket.destroy(), 2000).unref?.();
    }
    this.#fail(new Error("connection closed by the bridge"));
  }

  #dispatch(type: number, body: Buffer): void {
    // Notices, parameter changes and notifications can come at any time; nothing here needs them.
    if (type === 0x4e || type === 0x53 || type === 0x41) return;
    if (this.#op) this.#op.onMessage(type, body);
    else if (type === 0x45) this.#fail(parseError(body)); // e.g. FATAL: terminating connection due to administrator command
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const op = this.#op;
    this.#op = undefined;
    op?.fail(error);
  }
}
