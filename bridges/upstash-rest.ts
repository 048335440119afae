import { createHash } from "node:crypto";
import { accessCheck } from "./access";
import { ConnectionPool } from "./connection-pool";
import { RespConnection, RespError, type RespValue } from "./redis-resp";

/**
 * Upstash's Redis REST API, as `@upstash/redis` calls it, in front of a real redis-server:
 *
 * - `POST /` with a JSON command (`["SET","k","v"]`) → `{result}`, or `{error}` with HTTP 400.
 * - `POST /pipeline` with an array of commands → an array of `{result}` / `{error}` (HTTP 200).
 * - `POST /multi-exec`: the same, run inside MULTI/EXEC on one connection.
 * - `Authorization: Bearer TOKEN` on every request (401 otherwise, compared in constant time);
 *   a request from a web page is refused with 403 whatever it carries (see access.ts).
 * - `Upstash-Encoding: base64`: every string in the result is base64 of its bytes, except the
 *   status reply "OK" (the client decodes everything else, and keeps "OK" as is).
 *
 * Redis 7.0 rejects the `#!lua flags=allow-key-locking` shebang of `@upstash/ratelimit`'s
 * scripts, so scripts are rewritten before they reach Redis, and the hashes the client computed
 * from the original text keep working (see {@link ScriptShebangs}).
 */

export interface UpstashRestOptions {
  /** The run's secret, as the bearer token (see access.ts). */
  token: string;
  /** Browser origins that may send commands; none by default. */
  allowedOrigins?: readonly string[];
  redis?: { host: string; port: number };
  /** 0 (the default) picks a free port. */
  port?: number;
  hostname?: string;
  /** Connections to redis-server; a blocking command (BLPOP...) holds one until it returns. */
  maxConnections?: number;
}

export interface UpstashRestBridge {
  port: number;
  /** The value for `new Redis({ url })` / `UPSTASH_REDIS_REST_URL`. */
  url: string;
  stop(): Promise<void>;
}

type Command = Array<string | Buffer>;

/**
 * Commands that would change the state of a pooled connection for whoever uses it next, or
 * turn it into a stream the request/response shape cannot carry.
 */
const CONNECTION_STATE_COMMANDS = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "select",
  "quit",
  "reset",
  "hello",
  "auth",
  "sync",
  "psync",
  "replconf",
]);

/** Flags Redis 7.0 knows in a `#!lua flags=...` shebang; any other flag makes it refuse the script. */
const REDIS_7_0_SCRIPT_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * Rewrites Lua scripts whose shebang carries flags this Redis does not know (Upstash's
 * `allow-key-locking`) and remembers original hash → rewritten script, so that
 *
 * - `EVAL original` runs the rewritten script,
 * - `EVALSHA sha1(original)` runs it too once the bridge has seen the original (through EVAL or
 *   SCRIPT LOAD); before that Redis answers NOSCRIPT and the client falls back to EVAL, as it
 *   would against Upstash,
 * - `SCRIPT LOAD original` answers sha1(original), the hash the client expects.
 */
export class ScriptShebangs {
  readonly #byOriginalHash = new Map<string, string>();

  /** The script Redis accepts, or undefined when `script` needs no change. */
  static strip(script: string): string | undefined {
    const match = /^#!lua([^\n]*)/.exec(script);
    if (!match) return undefined;
    const options = (match[1] ?? "").trim().split(/\s+/).filter(Boolean);
    let changed = false;
    const kept = options.map((option) => {
      if (!option.startsWith("flags=")) return option;
      const flags = option.slice("flags=".length).split(",").filter(Boolean);
      const known = flags.filter((flag) => REDIS_7_0_SCRIPT_FLAGS.has(flag));
      if (known.length === flags.length) return option;
      changed = true;
      return known.length > 0 ? `flags=${known.join(",")}` : "";
    });
    if (!changed) return undefined;
    const shebang = ["#!lua", ...kept.filter(Boolean)].join(" ");
    return shebang + script.slice(match[0].length);
  }

  /** Rewrites one command; `answerHash` is set when the reply (SCRIPT LOAD) must be the original's hash. */
  rewrite(command: Command): { command: Command; answerHash?: string } {
    const name = String(command[0]).toLowerCase();
    const text = (i: number) => {
      const arg = command[i];
      return arg === undefined ? undefined : String(arg);
    };
    if (name === "eval" || name === "eval_ro") {
      const script = text(1);
      const stripped = script === undefined ? undefined : this.#learn(script);
      if (stripped !== undefined) return { command: [command[0] as string, stripped, ...command.slice(2)] };
    } else if (name === "evalsha" || name === "evalsha_ro") {
      const known = this.#byOriginalHash.get(text(1)?.toLowerCase() ?? "");
      // Sending the rewritten script itself (not its hash) also works after a SCRIPT FLUSH or inside MULTI.
      if (known !== undefined) return { command: [name === "evalsha" ? "eval" : "eval_ro", known, ...command.slice(2)] };
    } else if (name === "script" && text(1)?.toLowerCase() === "load") {
      const script = text(2);
      const stripped = script === undefined ? undefined : this.#learn(script);
      if (script !== undefined && stripped !== undefined) {
        return { command: [command[0] as string, command[1] as string, stripped], answerHash: sha1(script) };
      }
    } else if (name === "script" && text(1)?.toLowerCase() === "exists") {
      return {
        command: command.map((arg, i) => {
          const known = i >= 2 ? this.#byOriginalHash.get(String(arg).toLowerCase()) : undefined;
          return known === undefined ? arg : sha1(known);
        }),
      };
    }
    return { command };
  }

  #learn(script: string): string | undefined {
    const stripped = ScriptShebangs.strip(script);
    if (stripped !== undefined) this.#byOriginalHash.set(sha1(script), stripped);
    return stripped;
  }
}

/**
 * Starts the REST bridge on 127.0.0.1.
 *
 * @example
 * const token = newBridgeToken();
 * const bridge = startUpstashRest({ token, redis: { host: "127.0.0.1", port: 6379 } });
 * const redis = new Redis({ url: bridge.url, token });
 */
export function startUpstashRest(options: UpstashRestOptions): UpstashRestBridge {
  const refused = accessCheck(options, (status, error) => json(status, { error }));
  const redis = options.redis ?? { host: "127.0.0.1", port: 6379 };
  const pool = new ConnectionPool({
    open: () => RespConnection.open(redis.host, redis.port),
    max: options.maxConnections ?? 8,
    idleMillis: 60_000,
  });
  const scripts = new ScriptShebangs();

  const server = Bun.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    // Blocking commands may legitimately take longer than the default 10 s.
    idleTimeout: 0,
    async fetch(request) {
      const refusal = refused(request, /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1]);
      if (refusal) return refusal;
      const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
      if (request.method !== "POST") return json(405, { error: "ERR use POST" });
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return json(400, { error: "ERR failed to parse the request body as JSON" });
      }
      const base64 = request.headers.get("upstash-encoding")?.toLowerCase() === "base64";
      try {
        if (path === "/") return await single(body, base64);
        if (path === "/pipeline") return await batch(body, base64, false);
        if (path === "/multi-exec") return await batch(body, base64, true);
        return json(404, { error: `ERR unknown endpoint ${path}` });
      } catch (error) {
        return json(502, { error: `ERR upstash-rest bridge: ${error instanceof Error ? error.message : String(error)}` });
      }
    },
  });

  async function single(body: unknown, base64: boolean): Promise<Response> {
    const command = readCommand(body);
    if (typeof command === "string") return json(400, { error: command });
    const { command: sent, answerHash } = scripts.rewrite(command);
    const [reply] = await pool.use((conn) => conn.send([sent]));
    if (reply instanceof RespError) return json(400, { error: reply.message });
    return json(200, { result: toJson(answerHash ?? reply ?? null, base64) });
  }

  async function batch(body: unknown, base64: boolean, transaction: boolean): Promise<Response> {
    if (!Array.isArray(body) || body.length === 0) return json(400, { error: "ERR expected a non-empty array of commands" });
    const commands = body.map(readCommand);
    const refused = commands.findIndex((c) => typeof c === "string");
    if (transaction && refused !== -1) return json(400, { error: commands[refused] as string });
    const rewritten = commands.map((c) => (typeof c === "string" ? c : scripts.rewrite(c)));
    const toSend = rewritten.flatMap((r) => (typeof r === "string" ? [] : [r.command]));
    const replies = await pool.use((conn) => (transaction ? multiExec(conn, toSend) : conn.send(toSend)));
    if (replies instanceof RespError) return json(400, { error: replies.message });
    let next = 0;
    return json(
      200,
      rewritten.map((r) => {
        if (typeof r === "string") return { error: r };
        const reply = replies[next++] ?? null;
        if (reply instanceof RespError) return { error: reply.message };
        return { result: toJson(r.answerHash ?? reply, base64) };
      }),
    );
  }

  return {
    port: server.port ?? 0,
    url: `http://${options.hostname ?? "127.0.0.1"}:${server.port}`,
    async stop() {
      await server.stop(true);
      pool.close();
    },
  };
}

/** MULTI, the commands, EXEC in one write on one connection; the EXEC reply, or the reason it was refused. */
async function multiExec(conn: RespConnection, commands: Command[]): Promise<RespValue[] | RespError> {
  const replies = await conn.send([["MULTI"], ...commands, ["EXEC"]]);
  const exec = replies[replies.length - 1];
  if (Array.isArray(exec)) return exec;
  // EXECABORT alone says little: name the command Redis refused to queue.
  const queued = replies.slice(1, -1).find((r) => r instanceof RespError);
  const reason = exec instanceof RespError ? exec.message : "ERR transaction aborted";
  return new RespError(queued instanceof RespError ? `${reason} (${queued.message})` : reason);
}

/** A JSON command as Redis arguments, or the error to answer. */
function readCommand(value: unknown): Command | string {
  if (!Array.isArray(value) || value.length === 0) return "ERR a command is a non-empty JSON array";
  const args: Command = [];
  for (const arg of value) {
    if (typeof arg === "string") args.push(arg);
    else if (typeof arg === "number" || typeof arg === "boolean") args.push(String(arg));
    else return "ERR command arguments must be strings or numbers";
  }
  const name = String(args[0]).toLowerCase();
  if (CONNECTION_STATE_COMMANDS.has(name) || (name === "client" && String(args[1]).toLowerCase() === "reply")) {
    return `ERR command '${name}' is not available through the REST API`;
  }
  return args;
}

/** A reply as the REST API writes it; with base64, strings are base64 of their bytes except the status "OK". */
function toJson(value: RespValue, base64: boolean): unknown {
  if (value === null || typeof value === "number") return value;
  if (typeof value === "string") return base64 && value !== "OK" ? Buffer.from(value, "utf8").toString("base64") : value;
  if (Buffer.isBuffer(value)) return base64 ? value.toString("base64") : value.toString("utf8");
  if (value instanceof RespError) return value.message;
  return value.map((item) => toJson(item, base64));
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
