import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { RESEND_AFTER_MS } from "../durable-objects/outbox";
import { MACHINE_POSTGRES } from "../harness/database";
import { sleep } from "../harness/fixtures";
import { psql } from "../scripts/postgres";
import { type DevCommand, type DevRun, devCommand } from "./support/dev-command";

/**
 * As a user of `npm start` met it: a few clients send 100-event demand batches with
 * unique ids while the platform runs; the platform is stopped with Ctrl-C (or killed outright),
 * started again, and a minute later every id it answered 202 for must be in Postgres, once.
 * The dev command runs for real (bun scripts/dev.ts, wrangler dev, workerd, the bridges) in a
 * copy of the checkout with its own state, ports and database.
 */

const CLIENTS = 4;
const BATCH = 100;
/** How long the clients send before the stop or the crash. */
const LOAD_MS = 6_000;
/** The dev command's stop: its drain timeout (30 s by default) and wrangler's grace, with room. */
const EXIT_WAIT_MS = 60_000;
/** After the restart: how long a complete count must hold, and how long to wait at most. */
const HELD_MS = 3_000;
const SETTLE_MAX_MS = 60_000;
/** No new row for this long: nothing more is coming (outboxes resend after RESEND_AFTER_MS without confirmations). */
const STALLED_MS = 2 * RESEND_AFTER_MS;

// Inside nyc-manhattan, in different zones: several zone objects hold outboxes at the stop.
const SPOTS = [
  [40.758, -73.9855], // Times Square
  [40.7233, -74.003], // SoHo
  [40.7527, -73.9772], // Grand Central
  [40.7033, -74.017], // Battery Park
  [40.78, -73.96], // Upper East Side
  [40.74, -73.99], // Flatiron
] as const;

/** What the clients sent and what the platform acknowledged, event by event. */
interface Tally {
  sent: Set<string>;
  acknowledged: Set<string>;
  requests: number;
  /** HTTP status (or "network") → count. */
  answers: Map<string, number>;
  /** 202s whose counts did not match their rejections (a duplicate among unique ids, say). */
  inconsistent: number;
}

/** Clients that each send batches one after another until stopped; only a 202 acknowledges (minus its rejections). */
function demandLoad(url: string, tokens: string[], tag: string) {
  const tally: Tally = { sent: new Set(), acknowledged: new Set(), requests: 0, answers: new Map(), inconsistent: 0 };
  const answer = (key: string) => tally.answers.set(key, (tally.answers.get(key) ?? 0) + 1);
  let running = true;
  const client = async (c: number, token: string) => {
    for (let batch = 0; running; batch++) {
      const at = new Date().toISOString();
      const events = Array.from({ length: BATCH }, (_, i) => {
        const [lat, lng] = SPOTS[(batch + i) % SPOTS.length] as readonly [number, number];
        return { eventId: `${tag}-${c}-${batch}-${i}`, riderId: `${tag}-r${c}-${i}`, lat, lng, kind: "request", at };
      });
      for (const e of events) tally.sent.add(e.eventId);
      tally.requests += 1;
      try {
        const res = await fetch(`${url}/v1/events/demand`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ events }),
        });
        answer(String(res.status));
        const text = await res.text();
        if (res.status !== 202) {
          await sleep(100);
          continue;
        }
        const body = JSON.parse(text) as { accepted: number; duplicate: number; rejections: Array<{ index: number }> };
        const rejected = new Set(body.rejections.map((r) => r.index));
        if (body.duplicate !== 0 || body.accepted !== BATCH - rejected.size) tally.inconsistent += 1;
        for (const [i, e] of events.entries()) if (!rejected.has(i)) tally.acknowledged.add(e.eventId);
      } catch {
        answer("network"); // refused or cut: not acknowledged (it may still have been stored)
        await sleep(100);
      }
    }
  };
  const clients = tokens.map((token, c) => client(c, token));
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all(clients);
      return tally;
    },
  };
}

/** Rows per event id of this test, from Postgres (`kind, source, event_id` is the key: each id may appear once). */
function rowsById(command: DevCommand, tag: string): Map<string, number> {
  const result = spawnSync(
    "psql",
    [
      "-h",
      MACHINE_POSTGRES.host,
      "-p",
      String(MACHINE_POSTGRES.port),
      "-U",
      MACHINE_POSTGRES.user,
      "-d",
      command.database.name,
      "-v",
      "ON_ERROR_STOP=1",
      "-qAtc",
      `SELECT event_id, count(*) FROM events WHERE kind = 'demand' AND event_id LIKE '${tag}-%' GROUP BY event_id`,
    ],
    { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`psql: ${result.stderr || result.error}`);
  const rows = new Map<string, number>();
  for (const line of result.stdout.split("\n")) {
    const [id, n] = line.split("|");
    if (id) rows.set(id, Number(n));
  }
  return rows;
}

/**
 * Waits for history to arrive after the restart: until every acknowledged event is in Postgres
 * and the count has held for a moment (late doubles would show), or no row has come for longer
 * than the outboxes take to resend, or a minute has passed (the issue looked a minute later).
 */
async function settledRows(command: DevCommand, tag: string, acknowledged: Set<string>) {
  const started = Date.now();
  const count = () =>
    Number(psql(MACHINE_POSTGRES, command.database.name, `SELECT count(*) FROM events WHERE event_id LIKE '${tag}-%'`));
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    if (Date.now() - started >= SETTLE_MAX_MS || Date.now() - since >= STALLED_MS) break;
    if (now >= acknowledged.size && Date.now() - since >= HELD_MS) {
      const rows = rowsById(command, tag);
      if ([...acknowledged].every((id) => rows.has(id))) return { rows, waitedMs: Date.now() - started };
    }
    await sleep(500);
  }
  return { rows: rowsById(command, tag), waitedMs: Date.now() - started };
}

interface Reconciliation {
  acknowledged: number;
  rows: number;
  /** Acknowledged, and not in Postgres. */
  lost: number;
  /** In Postgres more than once. */
  doubled: number;
  /** In Postgres though never sent: must not exist. */
  unexplained: number;
  /** Sent and stored, but the answer never came back (a request cut by the stop): legitimate. */
  storedUnacknowledged: number;
}

function reconcile(tally: Tally, rows: Map<string, number>): Reconciliation {
  let lost = 0;
  for (const id of tally.acknowledged) if (!rows.has(id)) lost += 1;
  let total = 0;
  let doubled = 0;
  let unexplained = 0;
  let storedUnacknowledged = 0;
  for (const [id, n] of rows) {
    total += n;
    if (n > 1) doubled += 1;
    if (!tally.sent.has(id)) unexplained += 1;
    else if (!tally.acknowledged.has(id)) storedUnacknowledged += 1;
  }
  return { acknowledged: tally.acknowledged.size, rows: total, lost, doubled, unexplained, storedUnacknowledged };
}

/**
 * Where lost events are, for whoever fixes the loss: still waiting in a Durable Object's outbox
 * (sent and never confirmed, or never sent), or nowhere. Read from the objects' SQLite files
 * once the platform is down; an object's alarm is in its `_cf_METADATA` table (key 1).
 */
function lostWhere(dir: string, lost: Set<string>): string {
  if (lost.size === 0) return "";
  const root = join(dir, ".wrangler/state/v3/do");
  let waiting = 0;
  let holders = 0;
  let armed = 0;
  for (const namespace of existsSync(root) ? readdirSync(root) : []) {
    for (const file of readdirSync(join(root, namespace)).filter((f) => f.endsWith(".sqlite"))) {
      const db = new Database(join(root, namespace, file), { readonly: true });
      try {
        const tables = new Set(
          db
            .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'")
            .all()
            .map((t) => t.name),
        );
        if (!tables.has("outbox")) continue;
        let found = 0;
        for (const { body } of db.query<{ body: string }, []>("SELECT body FROM outbox").iterate())
          for (const m of body.matchAll(/"eventId":"([^"]+)"/g)) if (lost.has(m[1] as string)) found += 1;
        if (found === 0) continue;
        waiting += found;
        holders += 1;
        const alarm = tables.has("_cf_METADATA") ? db.query("SELECT value FROM _cf_METADATA WHERE key = 1").get() : null;
        if (alarm) armed += 1;
      } finally {
        db.close();
      }
    }
  }
  if (waiting === 0) return " (none of them waits in any outbox: gone)";
  const gone = lost.size - waiting;
  return ` (${readable(waiting)} of them still wait in ${holders} outboxes, ${armed} of those with an alarm set${gone > 0 ? `; ${readable(gone)} are gone` : ""})`;
}

const readable = (x: number) => x.toLocaleString("en-US");
const figures: string[] = [];
const commands: DevCommand[] = [];

afterEach(async () => {
  for (const c of commands.splice(0)) await c.dispose();
  console.log(figures.splice(0).join("\n"));
});

async function exitWithin(run: DevRun, ms: number) {
  const exit = await Promise.race([run.exited, sleep(ms).then(() => undefined)]);
  if (!exit)
    throw new Error(`the dev command did not exit within ${ms / 1000} s; its output ended:\n${run.output().slice(-3000)}`);
  return exit;
}

/** The dev command's own account of its stop (drain progress and outcome). */
const stopLines = (run: DevRun) =>
  run
    .output()
    .split("\n")
    .filter((l) => /^(stopping|draining|stopped)/.test(l));

/** Starts the platform, has the clients send for a while, then ends it the given way and starts it again. */
async function loadThenEnd(name: string, end: (run: DevRun) => void) {
  const command = await devCommand();
  commands.push(command);
  const first = await command.start();
  const tag = `${name}${Date.now().toString(36)}`;
  // Each client is its own principal (a partner back end), so each has its own rate limit.
  const tokens = await Promise.all(
    Array.from({ length: CLIENTS }, (_, c) =>
      command.token({ subject: `${tag}-client-${c}`, roles: ["service"], markets: ["nyc-manhattan"] }),
    ),
  );
  const load = demandLoad(command.url, tokens, tag);
  await sleep(LOAD_MS);
  const endedAt = Date.now();
  end(first);
  const exit = await exitWithin(first, EXIT_WAIT_MS);
  const exitMs = Date.now() - endedAt;
  const tally = await load.stop();
  const leftovers = await first.leftovers();
  const output = first.output();

  const second = await command.start();
  const { rows, waitedMs } = await settledRows(command, tag, tally.acknowledged);
  const figuresOf = reconcile(tally, rows);
  // Killed, not stopped: a drain now would deliver late what the test has just found missing.
  second.crash();
  await second.exited;
  const lost = new Set([...tally.acknowledged].filter((id) => !rows.has(id)));
  return {
    command,
    first,
    exit,
    exitMs,
    tally,
    leftovers,
    output,
    figures: figuresOf,
    waitedMs,
    where: lostWhere(command.dir, lost),
  };
}

function report(name: string, r: Awaited<ReturnType<typeof loadThenEnd>>) {
  const f = r.figures;
  const answers = [...r.tally.answers].map(([k, v]) => `${k}×${v}`).join(" ");
  figures.push(
    `${name}: ${readable(f.acknowledged)} events acknowledged (${r.tally.requests} batches: ${answers}), ` +
      `${readable(f.rows)} rows in Postgres ${(r.waitedMs / 1000).toFixed(1)} s after the restart; ` +
      `lost ${readable(f.lost)}${r.where}, doubled ${readable(f.doubled)}, unexplained ${readable(f.unexplained)}, stored but unacknowledged ${readable(f.storedUnacknowledged)}; ` +
      `the dev command exited ${(r.exitMs / 1000).toFixed(1)} s after the ${name === "graceful" ? "Ctrl-C" : "kill"}`,
  );
}

describe("stopping the platform loses nothing it acknowledged", () => {
  test("Ctrl-C under load: the dev command drains and exits, leaves nothing running, and after a restart every acknowledged event is in Postgres once", async () => {
    const r = await loadThenEnd("graceful", (run) => run.interrupt());
    report("graceful", r);
    for (const line of stopLines(r.first)) figures.push(`  dev: ${line}`);

    expect(r.figures.acknowledged).toBeGreaterThan(2_000);
    expect(r.tally.inconsistent).toBe(0);
    // The stop itself: a clean exit, its outcome said, nothing of the platform left running.
    expect(r.exit).toEqual({ code: 0, signal: null });
    expect(r.output).toMatch(/^stopped/m);
    expect(r.leftovers).toEqual([]);
    // Reconciliation: lost first, as that is what the issue is about.
    expect({ lost: r.figures.lost, doubled: r.figures.doubled, unexplained: r.figures.unexplained }).toEqual({
      lost: 0,
      doubled: 0,
      unexplained: 0,
    });
    expect(r.figures.rows).toBe(r.figures.acknowledged + r.figures.storedUnacknowledged);
    // Only batches cut by the stop can be stored unacknowledged: at most one per client.
    expect(r.figures.storedUnacknowledged).toBeLessThanOrEqual(CLIENTS * BATCH);
  }, 180_000);

  test("killed under load (SIGKILL to every process): after a restart on the same state every acknowledged event is in Postgres once", async () => {
    const r = await loadThenEnd("crash", (run) => run.crash());
    report("crash", r);

    expect(r.figures.acknowledged).toBeGreaterThan(2_000);
    expect(r.tally.inconsistent).toBe(0);
    expect(r.exit.signal).toBe("SIGKILL");
    expect(r.leftovers).toEqual([]);
    expect({ lost: r.figures.lost, doubled: r.figures.doubled, unexplained: r.figures.unexplained }).toEqual({
      lost: 0,
      doubled: 0,
      unexplained: 0,
    });
    expect(r.figures.rows).toBe(r.figures.acknowledged + r.figures.storedUnacknowledged);
    expect(r.figures.storedUnacknowledged).toBeLessThanOrEqual(CLIENTS * BATCH);
  }, 180_000);
});
