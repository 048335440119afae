import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { type NeonDbError, neon, neonConfig, Pool } from "@neondatabase/serverless";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { eq } from "drizzle-orm";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzlePool } from "drizzle-orm/neon-serverless";
import { integer, pgTable, serial, text } from "drizzle-orm/pg-core";
import { type Bridges, neonLocalConfig, startBridges } from "../bridges/index";
import { isLoopbackHost } from "../bridges/loopback";
import { RespConnection } from "../bridges/redis-resp";

/**
 * The production drivers (`@neondatabase/serverless`, drizzle, `@upstash/redis`,
 * `@upstash/ratelimit`) against a real PostgreSQL and a real redis-server, through the bridges.
 * Each run works in a throwaway database and under a key prefix of its own, and removes them.
 */

const TOKEN = "bridges-test-token";
const RUN = `${process.pid}_${randomBytes(4).toString("hex")}`;
const DATABASE = `bridges_test_${RUN}`;
const KEYS = `bridges-test:${RUN}:`;
const DAY_MS = 86_400_000;

let bridges: Bridges;
let url: string;
let redis: Redis;
let direct: RespConnection;
const savedNeonConfig = { ...neonConfig.opts };

beforeAll(async () => {
  bridges = await startBridges({ token: TOKEN });
  neonLocalConfig(bridges).apply(neonConfig);
  await neon(bridges.databaseUrl("postgres")).query(`CREATE DATABASE "${DATABASE}"`);
  url = bridges.databaseUrl(DATABASE);
  redis = new Redis({ url: bridges.upstashUrl, token: TOKEN });
  // A plain RESP connection, to check what really landed in redis-server.
  direct = await RespConnection.open("127.0.0.1", 6379);
});

afterAll(async () => {
  try {
    // FORCE: the bridges' pooled connections to the database would otherwise block the drop.
    await neon(bridges.databaseUrl("postgres")).query(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
    const [keys] = await direct.send([["KEYS", `${KEYS}*`]]);
    if (Array.isArray(keys) && keys.length > 0) await direct.send([["DEL", ...(keys as Buffer[])]]);
  } finally {
    direct?.close();
    await bridges?.stop();
    neonConfig.opts = savedNeonConfig;
  }
});

function pool(): Pool {
  const p = new Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 10_000 });
  p.on("error", () => undefined);
  return p;
}

async function rejection(promise: Promise<unknown>): Promise<NeonDbError & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as NeonDbError;
  }
  throw new Error("expected the query to fail");
}

/** A Postgres StartupMessage (protocol 3.0), as the first bytes a client sends. */
function startupMessage(params: Record<string, string>): Buffer {
  const body = Buffer.from(`${Object.entries(params).flat().join("\0")}\0\0`, "utf8");
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

/** The type letters of the complete backend messages in `bytes`. */
function messageTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) {
    if (at + 1 + bytes.readInt32BE(at + 1) > bytes.length) break;
    types.push(String.fromCharCode(bytes[at] as number));
  }
  return types;
}

async function redisGet(key: string): Promise<string | null> {
  const [value] = await direct.send([["GET", key]]);
  return Buffer.isBuffer(value) ? value.toString("utf8") : (value as null);
}

describe("loopback rule", () => {
  test("only this machine's addresses count as loopback", () => {
    for (const host of [
      "127.0.0.1",
      "127.9.8.7",
      "localhost",
      "LOCALHOST",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1",
    ]) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: true });
    }
    for (const host of [
      "10.0.0.1",
      "128.0.0.1",
      "0.0.0.0",
      "example.com",
      "localhost.example.com",
      "::2",
      "::ffff:10.0.0.1",
      "",
    ]) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: false });
    }
  });
});

describe("neonLocalConfig", () => {
  test("describes the driver settings and writes them onto a neonConfig", () => {
    const local = neonLocalConfig({ neonWsProxyPort: 5488, neonHttpUrl: "http://127.0.0.1:5489/sql" });
    expect(local.settings.wsProxy("db.internal", 5432)).toBe("127.0.0.1:5488/v1?address=db.internal:5432");
    expect(local.env).toEqual({ NEON_LOCAL_WS_PROXY: "127.0.0.1:5488/v1", NEON_LOCAL_HTTP: "http://127.0.0.1:5489/sql" });
    const target = {
      wsProxy: "unset" as string | ((host: string, port: number | string) => string),
      useSecureWebSocket: true,
      pipelineTLS: true,
      pipelineConnect: "password" as "password" | false,
      fetchEndpoint: "https://unset/sql" as string | ((host: string, port: number | string) => string),
    };
    local.apply(target);
    expect({ ...target, wsProxy: typeof target.wsProxy }).toEqual({
      wsProxy: "function",
      useSecureWebSocket: false,
      pipelineTLS: false,
      pipelineConnect: false,
      fetchEndpoint: "http://127.0.0.1:5489/sql",
    });
  });
});

describe("Neon WebSocket proxy: the driver's Pool on a real PostgreSQL", () => {
  test("a rider's trip is stored and read back with parameters, in the throwaway database", async () => {
    const db = pool();
    try {
      const { rows: where } = await db.query("SELECT current_database() AS name");
      expect(where[0].name).toBe(DATABASE);
      await db.query(
        "CREATE TABLE trips (id serial PRIMARY KEY, rider text UNIQUE NOT NULL, fare numeric(10,2), at timestamptz)",
      );
      const at = new Date("2026-11-24T08:15:00.000Z");
      const inserted = await db.query("INSERT INTO trips (rider, fare, at) VALUES ($1, $2, $3) RETURNING id", [
        "ana",
        "23.50",
        at,
      ]);
      expect(inserted.rowCount).toBe(1);
      const { rows } = await db.query("SELECT rider, fare, at FROM trips WHERE id = $1", [inserted.rows[0].id]);
      expect(rows).toEqual([{ rider: "ana", fare: "23.50", at }]);
    } finally {
      await db.end();
    }
  });

  test("a rolled-back transaction leaves nothing behind", async () => {
    const db = pool();
    try {
      const count = async () => Number((await db.query("SELECT count(*) AS n FROM trips")).rows[0].n);
      const before = await count();
      const client = await db.connect();
      try {
        await client.query("BEGIN");
        await client.query("INSERT INTO trips (rider) VALUES ($1)", ["ghost"]);
        const inside = await client.query("SELECT count(*) AS n FROM trips");
        expect(Number(inside.rows[0].n)).toBe(before + 1);
        await client.query("ROLLBACK");
      } finally {
        client.release();
      }
      expect(await count()).toBe(before);
    } finally {
      await db.end();
    }
  });

  test("SQL errors surface as thrown errors with the Postgres code", async () => {
    const db = pool();
    try {
      const syntax = await rejection(db.query("SELEC 1"));
      expect(syntax.code).toBe("42601");
      await db.query("INSERT INTO trips (rider) VALUES ('bo')");
      const duplicate = await rejection(db.query("INSERT INTO trips (rider) VALUES ('bo')"));
      expect(duplicate.code).toBe("23505");
      expect(duplicate.constraint).toBe("trips_rider_key");
      // The session survives its errors.
      expect((await db.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
    } finally {
      await db.end();
    }
  });

  test("concurrent clients each get a session of their own", async () => {
    const db = pool();
    try {
      const clients = await Promise.all(Array.from({ length: 6 }, () => db.connect()));
      try {
        const pids = await Promise.all(
          clients.map(async (client, i) => {
            await client.query("BEGIN");
            await client.query("INSERT INTO trips (rider) VALUES ($1)", [`rider-${i}`]);
            const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
            await client.query("COMMIT");
            return rows[0].pid as number;
          }),
        );
        expect(new Set(pids).size).toBe(6);
      } finally {
        for (const client of clients) client.release();
      }
      const { rows } = await db.query("SELECT count(*)::int AS n FROM trips WHERE rider LIKE 'rider-%'");
      expect(rows[0].n).toBe(6);
    } finally {
      await db.end();
    }
  });

  test("a value of several megabytes crosses both ways intact", async () => {
    const db = pool();
    try {
      const big = randomBytes(3 * 1024 * 1024).toString("base64"); // 4 MiB of text, many frames each way
      const { rows } = await db.query("SELECT md5($1::text) AS sum, $1::text AS echo", [big]);
      expect(rows[0].sum).toBe(createHash("md5").update(big).digest("hex"));
      expect(rows[0].echo === big).toBe(true);
    } finally {
      await db.end();
    }
  });

  test("a result far larger than the proxy's send buffer arrives whole and in order", async () => {
    const db = pool();
    try {
      const { rows } = await db.query("SELECT md5(s::text) || repeat('.', 1000) AS line FROM generate_series(1, 20000) AS s");
      expect(rows.length).toBe(20000);
      const wrong = rows.findIndex(
        (r, i) =>
          r.line !==
          createHash("md5")
            .update(String(i + 1))
            .digest("hex") +
            ".".repeat(1000),
      );
      expect(wrong).toBe(-1);
    } finally {
      await db.end();
    }
  });

  test("ending a client ends its Postgres session, and a session Postgres ends fails the client", async () => {
    const sql = neon(url);
    const alive = async (pid: number) => (await sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${pid}`)[0]?.n;

    const db = pool();
    const client = await db.connect();
    const pid = (await client.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    expect(await alive(pid)).toBe(1);
    client.release();
    await db.end();
    // The backend goes once the proxy has passed on Terminate and closed the TCP side.
    for (let i = 0; i < 100 && (await alive(pid)) !== 0; i++) await Bun.sleep(20);
    expect(await alive(pid)).toBe(0);

    const db2 = pool();
    const victim = await db2.connect();
    victim.on("error", () => undefined);
    const victimPid = (await victim.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    await sql`SELECT pg_terminate_backend(${victimPid})`;
    await expect(victim.query("SELECT 1")).rejects.toBeDefined();
    victim.release(true);
    await db2.end();
  });

  test("a client that vanishes without a Terminate does not leave its session behind", async () => {
    const name = `bridges-abrupt-${RUN}`;
    const sql = neon(url);
    const sessions = async () =>
      (await sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${name}`)[0]?.n;
    const ws = new WebSocket(`ws://127.0.0.1:${bridges.neonWsProxyPort}/v1?address=127.0.0.1:5432`);
    ws.binaryType = "arraybuffer";
    await new Promise<void>((resolve, reject) => {
      let received = Buffer.alloc(0);
      ws.onopen = () => ws.send(startupMessage({ user: "postgres", database: DATABASE, application_name: name }));
      ws.onmessage = (event) => {
        received = Buffer.concat([received, Buffer.from(event.data as ArrayBuffer)]);
        if (messageTypes(received).includes("Z")) resolve();
      };
      ws.onerror = () => reject(new Error("the proxy refused the connection"));
    });
    expect(await sessions()).toBe(1);
    ws.close();
    for (let i = 0; i < 100 && (await sessions()) !== 0; i++) await Bun.sleep(20);
    expect(await sessions()).toBe(0);
  });

  test("targets off this machine are refused", async () => {
    const base = `http://127.0.0.1:${bridges.neonWsProxyPort}/v1`;
    expect((await fetch(`${base}?address=10.1.2.3:5432`)).status).toBe(403);
    expect((await fetch(`${base}?address=db.example.com:5432`)).status).toBe(403);
    // The same request to a loopback target passes the check (and only lacks the upgrade).
    expect((await fetch(`${base}?address=127.0.0.1:5432`)).status).toBe(426);
    const remote = new Pool({ connectionString: "postgresql://postgres@10.1.2.3:5432/test", connectionTimeoutMillis: 10_000 });
    remote.on("error", () => undefined);
    await expect(remote.query("SELECT 1")).rejects.toBeDefined();
    await remote.end().catch(() => undefined);
  });
});

describe("Neon HTTP: neon() on a real PostgreSQL", () => {
  test("a single parameterised query, and the full result the driver builds from the reply", async () => {
    const sql = neon(url);
    expect(await sql`SELECT ${41}::int + 1 AS answer, ${"zone-7"}::text AS zone`).toEqual([{ answer: 42, zone: "zone-7" }]);
    const full = await sql.query("SELECT rider FROM trips WHERE rider = $1", ["ana"], { fullResults: true });
    expect(full.command).toBe("SELECT");
    expect(full.rowCount).toBe(1);
    expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([["rider", 25]]);
    expect(full.rows).toEqual([{ rider: "ana" }]);
  });

  test("array mode gives rows as arrays", async () => {
    const sql = neon(url, { arrayMode: true });
    expect(await sql`SELECT 1 AS a, 'b' AS b UNION ALL SELECT 2, 'c'`).toEqual([
      [1, "b"],
      [2, "c"],
    ]);
  });

  test("a transaction commits together, or not at all", async () => {
    const sql = neon(url);
    const [, , counted] = await sql.transaction([
      sql`INSERT INTO trips (rider) VALUES ('tx-1')`,
      sql`INSERT INTO trips (rider) VALUES ('tx-2')`,
      sql`SELECT count(*)::int AS n FROM trips WHERE rider LIKE 'tx-%'`,
    ]);
    expect(counted).toEqual([{ n: 2 }]);
    const failed = await rejection(
      sql.transaction([sql`INSERT INTO trips (rider) VALUES ('tx-3')`, sql`INSERT INTO trips (rider) VALUES ('tx-1')`]),
    );
    expect(failed.code).toBe("23505");
    expect(await sql`SELECT rider FROM trips WHERE rider = 'tx-3'`).toEqual([]);
  });

  test("transaction options reach Postgres", async () => {
    const sql = neon(url);
    const [isolation, readOnly] = await sql.transaction([sql`SHOW transaction_isolation`, sql`SHOW transaction_read_only`], {
      isolationLevel: "Serializable",
      readOnly: true,
    });
    expect(isolation).toEqual([{ transaction_isolation: "serializable" }]);
    expect(readOnly).toEqual([{ transaction_read_only: "on" }]);
    const write = await rejection(sql.transaction([sql`INSERT INTO trips (rider) VALUES ('ro')`], { readOnly: true }));
    expect(write.code).toBe("25006");
  });

  test("values come back typed exactly as the WebSocket driver gives them", async () => {
    const query = `SELECT 42::int AS int, 9007199254740993::bigint AS big, 12.345::numeric(10,3) AS num,
      '2024-02-29T12:34:56.789Z'::timestamptz AS at, '{"a":[1,2],"b":null}'::jsonb AS doc,
      ARRAY['x', 'y,z', '"q"', NULL]::text[] AS tags, true AS yes, false AS no, NULL::text AS nothing,
      $1::timestamptz AS param_at, $2::text[] AS param_tags, $3::jsonb AS param_doc`;
    const params = [new Date("2026-01-02T03:04:05.006Z"), ["a b", 'c"d'], { surge: 1.5 }];
    const [viaHttp] = await neon(url).query(query, params);
    const db = pool();
    try {
      const { rows } = await db.query(query, params);
      expect(viaHttp).toEqual(rows[0]);
    } finally {
      await db.end();
    }
    expect(viaHttp).toEqual({
      int: 42,
      big: "9007199254740993",
      num: "12.345",
      at: new Date("2024-02-29T12:34:56.789Z"),
      doc: { a: [1, 2], b: null },
      tags: ["x", "y,z", '"q"', null],
      yes: true,
      no: false,
      nothing: null,
      param_at: new Date("2026-01-02T03:04:05.006Z"),
      param_tags: ["a b", 'c"d'],
      param_doc: { surge: 1.5 },
    });
  });

  test("SQL errors throw NeonDbError with the Postgres fields", async () => {
    const sql = neon(url);
    const broken = "SELECT rider FROM trips WHERE";
    const syntax = await rejection(sql.query(broken));
    expect(syntax.name).toBe("NeonDbError");
    // The position is where Postgres stopped understanding: the end of the text.
    expect([syntax.code, syntax.severity, syntax.position]).toEqual(["42601", "ERROR", String(broken.length + 1)]);
    const duplicate = await rejection(sql`INSERT INTO trips (rider) VALUES ('ana')`);
    expect([duplicate.code, duplicate.constraint, duplicate.table]).toEqual(["23505", "trips_rider_key", "trips"]);
    expect(duplicate.detail).toContain("(rider)=(ana)");
    const missing = await rejection(neon(bridges.databaseUrl(`${DATABASE}_missing`))`SELECT 1`);
    expect(missing.code).toBe("3D000");
  });

  test("without raw text and array mode, values are JSON and rows are objects", async () => {
    const reply = async (raw: string, arrayMode: string) => {
      const res = await fetch(bridges.neonHttpUrl, {
        method: "POST",
        headers: { "Neon-Connection-String": url, "Neon-Raw-Text-Output": raw, "Neon-Array-Mode": arrayMode },
        body: JSON.stringify({
          query:
            "SELECT 7::int AS n, 7::bigint AS big, 'NaN'::float8 AS nan, 0.5::float8 AS half, true AS yes, '{\"k\":1}'::jsonb AS doc, ARRAY[1,NULL,3] AS list, $1::text AS p",
          params: ["x"],
        }),
      });
      return { status: res.status, body: (await res.json()) as { rows: unknown[]; rowAsArray: boolean; command: string } };
    };
    const parsed = await reply("false", "false");
    expect(parsed.status).toBe(200);
    expect(parsed.body.rowAsArray).toBe(false);
    expect(parsed.body.rows).toEqual([
      { n: 7, big: "7", nan: "NaN", half: 0.5, yes: true, doc: { k: 1 }, list: [1, null, 3], p: "x" },
    ]);
    const raw = await reply("true", "true");
    expect(raw.body.rows).toEqual([["7", "7", "NaN", "0.5", "t", '{"k": 1}', "{1,NULL,3}", "x"]]);
    expect(raw.body.command).toBe("SELECT");
  });

  test("hosts off this machine are refused", async () => {
    for (const host of ["10.1.2.3", "db.example.com"]) {
      const refused = await rejection(neon(`postgresql://postgres@${host}:5432/test`)`SELECT 1`);
      expect(refused.message).toContain("only loopback hosts");
    }
  });
});

describe("drizzle over both bridges", () => {
  const zones = pgTable("zones", {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    cells: integer("cells").notNull(),
  });

  test("a zone written with neon-http is read with neon-serverless, and back", async () => {
    await neon(url).query("CREATE TABLE zones (id serial PRIMARY KEY, name text NOT NULL, cells integer NOT NULL)");
    const http = drizzleHttp({ client: neon(url) });
    const [midtown] = await http.insert(zones).values({ name: "midtown", cells: 49 }).returning();
    expect(midtown).toEqual({ id: expect.any(Number), name: "midtown", cells: 49 });

    const db = pool();
    try {
      const ws = drizzlePool({ client: db });
      expect(await ws.select().from(zones).where(eq(zones.name, "midtown"))).toEqual([midtown as typeof zones.$inferSelect]);
      await ws.insert(zones).values({ name: "district-1", cells: 7 });
    } finally {
      await db.end();
    }
    const names = await http.select({ name: zones.name }).from(zones).orderBy(zones.id);
    expect(names).toEqual([{ name: "midtown" }, { name: "district-1" }]);
  });
});

describe("Upstash REST: @upstash/redis on a real redis-server", () => {
  test("set, get and incr land in redis-server", async () => {
    expect(await redis.set(`${KEYS}surge`, "1.4")).toBe("OK");
    expect(await redis.get<number>(`${KEYS}surge`)).toBe(1.4);
    expect(await redisGet(`${KEYS}surge`)).toBe("1.4");
    await redis.incr(`${KEYS}quotes`);
    await redis.incr(`${KEYS}quotes`);
    expect(await redis.incr(`${KEYS}quotes`)).toBe(3);
    expect(await redisGet(`${KEYS}quotes`)).toBe("3");
  });

  test("hashes", async () => {
    expect(await redis.hset(`${KEYS}zone`, { supply: 12, market: "nyc-manhattan" })).toBe(2);
    expect(await redis.hgetall(`${KEYS}zone`)).toEqual({ supply: 12, market: "nyc-manhattan" });
  });

  test("a pipeline answers each command, errors included", async () => {
    await redis.set(`${KEYS}text`, "plain");
    const results = await redis
      .pipeline()
      .set(`${KEYS}p`, "v")
      .incr(`${KEYS}pn`)
      .hincrby(`${KEYS}text`, "f", 1)
      .get(`${KEYS}p`)
      .exec({ keepErrors: true });
    expect(results.map((r) => [r.result, r.error ?? null])).toEqual([
      ["OK", null],
      [1, null],
      [undefined, "WRONGTYPE Operation against a key holding the wrong kind of value"],
      ["v", null],
    ]);
  });

  test("multi runs as one transaction and refuses a malformed one whole", async () => {
    const results = await redis.multi().set(`${KEYS}m`, "a").append(`${KEYS}m`, "b").get(`${KEYS}m`).exec();
    expect(results).toEqual(["OK", 2, "ab"]);
    const malformed = fetch(`${bridges.upstashUrl}/multi-exec`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify([
        ["SET", `${KEYS}m2`, "x"],
        ["NOSUCHCOMMAND", "y"],
      ]),
    });
    const res = await malformed;
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("EXECABORT");
    expect(await redisGet(`${KEYS}m2`)).toBeNull();
  });

  test("values that trip up base64 and JSON come back unchanged", async () => {
    const tricky = [
      "héllo wörld 🚀",
      "\u0000\u0001\u007f\u00ff\ufffe binary-ish",
      "aGVsbG8=",
      "OK",
      "  padded  ",
      "line\r\nbreak",
    ];
    for (const [i, value] of tricky.entries()) {
      await redis.set(`${KEYS}tricky:${i}`, value);
      expect({ i, value: await redis.get(`${KEYS}tricky:${i}`) }).toEqual({ i, value });
      expect(await redisGet(`${KEYS}tricky:${i}`)).toBe(value);
    }
    const raw = async (encoding: Record<string, string>) => {
      const res = await fetch(bridges.upstashUrl, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, ...encoding },
        body: JSON.stringify(["MGET", `${KEYS}tricky:0`, `${KEYS}tricky:3`, `${KEYS}absent`]),
      });
      return ((await res.json()) as { result: unknown }).result;
    };
    expect(await raw({ "Upstash-Encoding": "base64" })).toEqual([
      Buffer.from(tricky[0] as string).toString("base64"),
      "T0s=",
      null,
    ]);
    expect(await raw({})).toEqual([tricky[0], "OK", null]);
  });

  test("expire and ttl", async () => {
    await redis.set(`${KEYS}quote`, "signed");
    expect(await redis.ttl(`${KEYS}quote`)).toBe(-1);
    expect(await redis.expire(`${KEYS}quote`, 600)).toBe(1);
    const ttl = await redis.ttl(`${KEYS}quote`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
    expect(await redis.ttl(`${KEYS}absent`)).toBe(-2);
  });

  test("a wrong or missing token is 401", async () => {
    const wrong = await fetch(bridges.upstashUrl, {
      method: "POST",
      headers: { Authorization: "Bearer nope" },
      body: JSON.stringify(["PING"]),
    });
    expect([wrong.status, await wrong.json()]).toEqual([401, { error: "Unauthorized" }]);
    expect((await fetch(bridges.upstashUrl, { method: "POST", body: JSON.stringify(["PING"]) })).status).toBe(401);
    const intruder = new Redis({ url: bridges.upstashUrl, token: "nope", retry: false, enableAutoPipelining: false });
    await expect(intruder.get(`${KEYS}surge`)).rejects.toThrow("Unauthorized");
  });

  test("a script with Upstash's shebang flag runs on Redis 7.0 under the client's own hash", async () => {
    const script = `#!lua flags=allow-key-locking\nreturn {KEYS[1], ARGV[1], "${RUN}"}`;
    const [refused] = await direct.send([["EVAL", script, "1", "k", "a"]]);
    // redis-server itself rejects the original: the bridge is what makes it work.
    expect(String((refused as { message?: string }).message)).toContain("Unexpected flag");
    const sha = createHash("sha1").update(script).digest("hex");
    await expect(redis.evalsha(sha, [`${KEYS}s`], ["a"])).rejects.toThrow("NOSCRIPT");
    expect(await redis.scriptLoad(script)).toBe(sha);
    expect(await redis.evalsha(sha, [`${KEYS}s`], ["a"])).toEqual([`${KEYS}s`, "a", RUN]);
    expect(await redis.scriptExists(sha)).toEqual([1]);
  });
});

describe("@upstash/ratelimit through the bridge", () => {
  async function burst(limiter: ReturnType<typeof Ratelimit.fixedWindow>, name: string) {
    const ratelimit = new Ratelimit({ redis, limiter, prefix: `${KEYS}${name}`, ephemeralCache: false });
    const before = Date.now();
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const answer = await ratelimit.limit("rider-42");
      await answer.pending;
      answers.push(answer);
    }
    const after = Date.now();
    // The reset is the end of the window the calls fell in (a day long, so the burst stays in one).
    const resets = new Set([before, after].map((t) => (Math.floor(t / DAY_MS) + 1) * DAY_MS));
    return { answers, resets };
  }

  test("sliding window: the fourth request of three allowed is refused", async () => {
    const { answers, resets } = await burst(Ratelimit.slidingWindow(3, "1 d"), "sliding");
    expect(answers.map((a) => [a.success, a.remaining, a.limit])).toEqual([
      [true, 2, 3],
      [true, 1, 3],
      [true, 0, 3],
      [false, 0, 3],
    ]);
    for (const a of answers) expect(resets.has(a.reset)).toBe(true);
  });

  test("fixed window: the same burst, counted in redis-server", async () => {
    const { answers, resets } = await burst(Ratelimit.fixedWindow(3, "1 d"), "fixed");
    expect(answers.map((a) => [a.success, a.remaining, a.limit])).toEqual([
      [true, 2, 3],
      [true, 1, 3],
      [true, 0, 3],
      [false, 0, 3],
    ]);
    for (const a of answers) expect(resets.has(a.reset)).toBe(true);
    const bucket = Math.floor(((answers[0] as { reset: number }).reset - 1) / DAY_MS);
    expect(await redisGet(`${KEYS}fixed:rider-42:${bucket}`)).toBe("4");
  });
});
