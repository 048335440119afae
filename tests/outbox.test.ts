import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { FULL_BYTES, HIGH_WATER_BYTES, LINGER_MS, Outbox, RESEND_AFTER_MS } from "../durable-objects/outbox";
import {
  type Destination,
  type Envelope,
  type HistoryMessage,
  MAX_BATCH_BYTES,
  MAX_MESSAGE_BYTES,
  type OutboxMessage,
  toTexts,
  utf8Length,
} from "../shared/contracts/history";

/**
 * The outbox on its own, over SQLite (Bun's, standing in for a Durable Object's: the same SQL)
 * and a history queue that takes, refuses or forgets messages as each story needs. The real
 * queue and consumer are exercised by the platform suites (history, no-loss, stop).
 */

/** The slice of a Durable Object's `SqlStorage` the outbox uses. */
function sqlOver(db: Database): SqlStorage {
  return {
    exec(query: string, ...bindings: unknown[]) {
      let rows: Record<string, unknown>[] = [];
      if (bindings.length === 0 && query.includes(";")) db.run(query);
      else rows = db.query(query).all(...(bindings as never[])) as Record<string, unknown>[];
      return Object.assign(rows[Symbol.iterator](), {
        toArray: () => rows,
        one: () => {
          if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
          return rows[0];
        },
      });
    },
  } as unknown as SqlStorage;
}

/** A queue that records what it took; `refuse` decides per batch. */
function queue(refuse: (bodies: string[]) => boolean = () => false) {
  const taken: Envelope[] = [];
  const q = {
    taken,
    attempts: 0,
    async sendBatch(batch: Array<{ body: string }>) {
      q.attempts += 1;
      const bodies = batch.map((m) => m.body);
      if (refuse(bodies)) throw new Error("queue refused the batch");
      if (batch.length > 100) throw new Error("more than 100 messages");
      const bytes = bodies.reduce((n, b) => n + utf8Length(b), 0);
      if (bytes > 256_000) throw new Error(`batch of ${bytes} bytes`);
      for (const b of bodies) {
        if (utf8Length(b) > 128_000) throw new Error("message over 128 KB");
        taken.push(JSON.parse(b) as Envelope);
      }
    },
  };
  return q;
}

/** The stories' clock: it moves only when a story says so. */
const clock = { now: 1_700_000_000_000 };
const later = (ms: number) => {
  clock.now += ms;
  return clock.now;
};

function outbox(q: ReturnType<typeof queue>, db = new Database(":memory:")) {
  return new Outbox({
    sql: sqlOver(db),
    queues: { history: q as unknown as Queue },
    origin: { host: "zone", name: "nyc:86" },
    clock: () => clock.now,
  });
}

const events = (n: number, id: (i: number) => string = (i) => `e${i}`): HistoryMessage => ({
  type: "events",
  market: "nyc",
  zone: "86",
  events: Array.from({ length: n }, (_, i) => ({
    kind: "demand",
    source: "partner",
    eventId: id(i),
    cell: "882a100d25fffff",
    at: 1_700_000_000_000 + i,
    actorId: null,
    status: "search",
  })),
});

const eventIds = (taken: Envelope[]) =>
  taken.flatMap((e) => (e.message.type === "events" ? e.message.events.map((x) => x.eventId) : []));

describe("sizes are counted in bytes", () => {
  test("a message of wide characters is split until every part fits, and nothing is lost or reordered", () => {
    const wide = events(2_000, (i) => `${"😀".repeat(60)}${i}`);
    const texts = toTexts(wide);
    expect(texts.length).toBeGreaterThan(1);
    for (const t of texts) expect(utf8Length(t)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const back = texts.flatMap((t) =>
      (JSON.parse(t) as Extract<HistoryMessage, { type: "events" }>).events.map((e) => e.eventId),
    );
    expect(back).toEqual(Array.from({ length: 2_000 }, (_, i) => `${"😀".repeat(60)}${i}`));
  });

  test("UTF-8 length agrees with the encoder for any string", () => {
    for (const s of ["", "abc", "é", "漢字", "😀", "a\ud800b", "\udc00", `${"x".repeat(1000)}ق`])
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });

  test("what the outbox sends stays under the queue's limits", async () => {
    const q = queue();
    const box = outbox(q);
    box.add(
      events(3_000, (i) => `${"漢".repeat(100)}${i}`),
      clock.now,
    );
    await box.drain(later(LINGER_MS));
    expect(eventIds(q.taken)).toHaveLength(3_000);
    expect(new Set(eventIds(q.taken)).size).toBe(3_000);
    expect(MAX_BATCH_BYTES).toBeLessThan(256_000);
  });
});

describe("kept until confirmed", () => {
  test("sent rows stay until the writer confirms them; confirmed rows are forgotten", async () => {
    const q = queue();
    const box = outbox(q);
    box.add(events(10), clock.now);
    await box.drain(later(LINGER_MS));
    expect(q.taken).toHaveLength(1);
    expect(box.backlog(later(500))).toMatchObject({ pending: 1, inFlight: 1, oldestAgeMs: LINGER_MS + 500 });
    expect(box.confirm([q.taken[0]?.seq ?? -1], later(500))).toBe(1);
    expect(box.backlog(clock.now)).toMatchObject({ pending: 0, inFlight: 0, oldestAgeMs: null });
    expect(box.nextDue(clock.now)).toBeUndefined();
  });

  test("a queue that forgets (a crash) loses nothing: a new object over the same storage sends it all again", async () => {
    const db = new Database(":memory:");
    const forgetful = queue();
    const before = outbox(forgetful, db);
    before.add(events(50), clock.now);
    await before.drain(later(LINGER_MS));
    expect(forgetful.taken).toHaveLength(1); // taken, then lost with the process

    const q = queue();
    const after = outbox(q, db); // the object starts again on its storage, a moment later
    expect(after.nextDue(later(1_000))).toBe(clock.now); // due at once, not after a stall
    await after.drain(clock.now);
    expect(eventIds(q.taken)).toHaveLength(50);
  });

  test("while confirmations flow, nothing is sent twice; once they stall, unconfirmed rows go again with growing delays", async () => {
    const q = queue();
    const box = outbox(q);
    const t0 = clock.now;
    box.add(events(1), t0);
    box.add(
      events(1, () => "second"),
      t0,
    );
    await box.drain(later(LINGER_MS));
    expect(q.taken).toHaveLength(2);
    box.confirm([q.taken[0]?.seq ?? -1], t0); // the first is written, the second is still on its way
    await box.drain(later(RESEND_AFTER_MS / 2));
    expect(q.taken).toHaveLength(2);
    const again = box.nextDue(clock.now) ?? 0;
    expect(again).toBeGreaterThanOrEqual(t0 + RESEND_AFTER_MS);
    clock.now = again;
    await box.drain(clock.now);
    expect(q.taken).toHaveLength(3);
    expect(eventIds(q.taken.slice(2))).toEqual(["second"]);
    // The next resend waits longer than the first did.
    expect((box.nextDue(clock.now) ?? 0) - clock.now).toBeGreaterThan(RESEND_AFTER_MS);
  });
});

describe("batches", () => {
  test("a new row lingers a moment, so a busy object sends one batch rather than a call per change", async () => {
    const q = queue();
    const box = outbox(q);
    for (let i = 0; i < 30; i++)
      box.add(
        events(1, () => `quote-${i}`),
        clock.now,
      );
    await box.drain(clock.now);
    expect(q.attempts).toBe(0); // not yet: they linger
    await box.drain(later(LINGER_MS));
    expect(q.attempts).toBe(1); // thirty quotes, one queue call
    expect(eventIds(q.taken)).toHaveLength(30);
    box.add(
      events(1, () => "late"),
      clock.now,
    );
    await box.drain(clock.now);
    expect(q.attempts).toBe(1);
    expect(box.nextDue(clock.now)).toBe(clock.now + LINGER_MS);
  });
});

describe("destinations", () => {
  test("each row goes to its own destination's queue, and a batch never mixes two", async () => {
    const history = queue();
    const other = queue();
    const box = new Outbox({
      sql: sqlOver(new Database(":memory:")),
      queues: { history: history as unknown as Queue, notifications: other as unknown as Queue } as unknown as Record<
        Destination,
        Queue
      >,
      origin: { host: "zone", name: "nyc:86" },
      clock: () => clock.now,
    });
    for (let i = 0; i < 6; i++)
      box.add(
        events(1, () => `e${i}`),
        clock.now,
        (i % 2 === 0 ? "history" : "notifications") as Destination,
      );
    await box.drain(later(LINGER_MS));
    expect(eventIds(history.taken)).toEqual(["e0", "e2", "e4"]);
    expect(eventIds(other.taken)).toEqual(["e1", "e3", "e5"]);
    expect(history.attempts + other.attempts).toBe(2);
  });
});

describe("refusals", () => {
  test("a queue that refuses keeps every row, and the retry is always scheduled", async () => {
    let down = true;
    const q = queue(() => down);
    const box = outbox(q);
    box.add(events(5), clock.now);
    for (let i = 0; i < 6; i++) {
      await box.drain(later(LINGER_MS));
      const retry = box.nextDue(clock.now);
      expect(retry).toBeGreaterThan(clock.now); // a retry is always scheduled, and backs off
      clock.now = retry ?? clock.now;
    }
    expect(q.taken).toHaveLength(0);
    expect(q.attempts).toBe(6);
    down = false;
    await box.drain(clock.now);
    expect(eventIds(q.taken)).toHaveLength(5);
  });

  test("one row the queue will not take steps back, and the rows behind it go on", async () => {
    const q = queue((bodies) => bodies.some((b) => b.includes("poison")));
    const box = outbox(q);
    box.add(
      events(1, () => "poison"),
      clock.now,
    );
    for (let i = 0; i < 5; i++)
      box.add(
        events(1, () => `after-${i}`),
        clock.now,
      );
    for (let round = 0; round < 20 && eventIds(q.taken).length < 5; round++) {
      clock.now = Math.max(clock.now, box.nextDue(clock.now) ?? clock.now);
      await box.drain(clock.now);
    }
    expect(eventIds(q.taken).sort()).toEqual(["after-0", "after-1", "after-2", "after-3", "after-4"]);
    expect(box.backlog(clock.now).pending).toBe(6); // none confirmed yet; the poison is still kept
    expect(box.nextDue(clock.now)).toBeDefined(); // and due again later
  });

  test("a full outbox says so, so its host refuses new work instead of dropping", () => {
    const box = outbox(queue());
    const big = events(200, (i) => `${"x".repeat(120)}${i}`);
    let added = 0;
    while (!box.full) {
      box.add(big, clock.now);
      added += 1;
    }
    expect(box.backlog(clock.now).status).toBe("full");
    expect(box.backlog(clock.now).bytes).toBeGreaterThan(FULL_BYTES);
    expect(box.backlog(clock.now).pending).toBeGreaterThanOrEqual(added);
  }, 60_000);
});

describe("operators told of a backlog", () => {
  test("a zone's outbox says so once when it backs up, not at every row that hovers at the mark, and once when it has drained", async () => {
    const history = queue();
    const notifications = queue();
    const box = new Outbox({
      sql: sqlOver(new Database(":memory:")),
      queues: { history: history as unknown as Queue, notifications: notifications as unknown as Queue },
      origin: { host: "zone", name: "nyc:86" },
      market: "nyc",
      clock: () => clock.now,
    });
    const told = async () => {
      await box.drain(later(LINGER_MS), { all: true });
      // Unconfirmed rows go again after a stall: one row is one telling, however often it is sent.
      const rows = new Map(notifications.taken.map((e) => [e.seq, e.message as OutboxMessage]));
      return [...rows.values()].filter((m) => m.type === "backlog");
    };
    const big = events(200, (i) => `${"x".repeat(120)}${i}`);
    while (box.backlog(clock.now).status === "ok") box.add(big, clock.now);
    // History flows a little and stalls again: the backlog hovers at the mark.
    for (let i = 0; i < 5; i++) {
      await box.drain(later(LINGER_MS), { all: true });
      const oldest = history.taken.splice(0, 2).map((e) => e.seq);
      box.confirm(oldest, clock.now);
      box.add(big, clock.now);
    }
    expect((await told()).map((m) => (m.type === "backlog" ? [m.market, m.origin, m.status] : []))).toEqual([
      ["nyc", "nyc:86", "backed-up"],
    ]);
    // The writer catches up: everything confirmed, the backlog drains below half the mark.
    for (let round = 0; round < 100 && box.backlog(clock.now).bytes >= HIGH_WATER_BYTES / 2; round++) {
      await box.drain(later(RESEND_AFTER_MS), { all: true });
      box.confirm(
        history.taken.splice(0).map((e) => e.seq),
        clock.now,
      );
    }
    expect(box.backlog(clock.now).bytes).toBeLessThan(HIGH_WATER_BYTES / 2);
    expect((await told()).map((m) => (m.type === "backlog" ? m.status : ""))).toEqual(["backed-up", "ok"]);
  }, 60_000);
});
