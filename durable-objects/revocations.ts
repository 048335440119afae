import { DurableObject } from "cloudflare:workers";
import { type LiveHost, liveHostStub } from "../shared/contracts/objects";
import { type Revocation, RevocationList, revocationKey } from "../shared/platform/revocation";

/** What every live host answers: closes its sockets a revocation covers, returns how many. */
interface RevocableHost {
  revoke(revocation: Revocation): Promise<number>;
}

/**
 * Pushed again after this long: a socket opened meanwhile by an isolate whose copy of the list
 * was still stale (up to a few seconds), or on a host not yet registered, is closed then.
 */
const REPUSH_MS = 10_000;

/**
 * The revocation list (`shared/revocation.ts`): one object for the platform. The edge reads it
 * every few seconds per isolate; each new entry is pushed to every Durable Object holding live
 * sockets (registered by the edge when it hands a socket over), twice, so open sockets of a
 * revoked token close too. Entries and hosts are forgotten when nothing they cover can still be
 * valid, so both tables stay small (revocations of the last 15 minutes; hosts with sockets).
 *
 * One object is enough for reads (a few per isolate per minute) and for revocations (rare); host
 * registrations are one per host per isolate per ten minutes or so.
 */
export class Revocations extends DurableObject<Env> {
  #list = new RevocationList();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS revoked (key TEXT PRIMARY KEY, body TEXT NOT NULL, until INTEGER NOT NULL,
        repush_at INTEGER) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS hosts (kind TEXT NOT NULL, name TEXT NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID;`);
    for (const row of ctx.storage.sql.exec<{ body: string }>("SELECT body FROM revoked")) {
      this.#list.add(JSON.parse(row.body) as Revocation);
    }
  }

  /** Every entry that may still revoke a valid token. */
  list(): Revocation[] {
    this.#prune(Date.now());
    return this.#list.entries();
  }

  /** Adds an entry (merged with an earlier one for the same token, session or subject) and tells the live hosts. */
  async revoke(revocation: Revocation): Promise<void> {
    const now = Date.now();
    this.#list.add(revocation);
    const merged = this.#list.entries().find((r) => revocationKey(r) === revocationKey(revocation)) ?? revocation;
    this.ctx.storage.sql.exec(
      `INSERT INTO revoked (key, body, until, repush_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET body = excluded.body, until = excluded.until, repush_at = excluded.repush_at`,
      revocationKey(merged),
      JSON.stringify(merged),
      merged.until,
      now + REPUSH_MS,
    );
    await this.#armAlarm(now + REPUSH_MS);
    await this.#push([merged], now);
  }

  /** A host holds sockets until `until` (at most): revocations are pushed to it until then. */
  register(host: LiveHost, until: number): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO hosts (kind, name, until) VALUES (?, ?, ?)
       ON CONFLICT (kind, name) DO UPDATE SET until = max(until, excluded.until)`,
      host.kind,
      host.name,
      until,
    );
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.ctx.storage.sql
      .exec<{ key: string; body: string }>("SELECT key, body FROM revoked WHERE repush_at IS NOT NULL AND repush_at <= ?", now)
      .toArray();
    this.ctx.storage.sql.exec("UPDATE revoked SET repush_at = NULL WHERE repush_at IS NOT NULL AND repush_at <= ?", now);
    await this.#push(
      due.map((r) => JSON.parse(r.body) as Revocation),
      now,
    );
    this.#prune(now);
    const next = this.ctx.storage.sql.exec<{ at: number | null }>("SELECT min(repush_at) AS at FROM revoked").toArray()[0]?.at;
    if (next !== null && next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  async #push(entries: Revocation[], now: number): Promise<void> {
    if (entries.length === 0) return;
    const hosts = this.ctx.storage.sql
      .exec<{ kind: string; name: string }>("SELECT kind, name FROM hosts WHERE until > ?", now)
      .toArray() as LiveHost[];
    // A host that cannot be reached now is reached by the second push, or its sockets expire.
    await Promise.allSettled(hosts.flatMap((host) => entries.map((r) => this.#host(host).revoke(r))));
  }

  #host(host: LiveHost): RevocableHost {
    // Both hosts serve `revoke` through their Subscribers (see subscribers.ts).
    return liveHostStub(this.env, host) as unknown as RevocableHost;
  }

  async #armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  #prune(now: number): void {
    this.#list.prune(now);
    this.ctx.storage.sql.exec("DELETE FROM revoked WHERE until <= ? AND repush_at IS NULL", now);
    this.ctx.storage.sql.exec("DELETE FROM hosts WHERE until <= ?", now);
  }
}
