import type { Origin } from "./history";

/**
 * The Durable Objects by name: every stub of the platform is got here, so an object's name is
 * written once, whoever calls it (the edge, another object, the history writer).
 *
 *   zone          `<market>:<zone>`, one per zone of a market (and `system:canary`, a zone
 *                 without a market that the probes ping)
 *   market feed   the market's id
 *   system mode   `system` (one)          market directory   `directory` (one)
 *   revocations   `revocations` (one)     ledger shard       `ledger:<n>`, n < LEDGER_SHARDS
 *   dead letters  `dead-letters` (one, the history writer's)
 *   notification hub  the market's id (the notifications worker's, one per market)
 *
 * Each function takes any env that has the binding, so the history writer's env (whose
 * bindings to the API's objects are untyped) serves as well as the API's.
 *
 * @example
 * await zoneStub(env, "nyc", "862a1072fffffff").reading(ref, zone, cell);
 * await systemStub(env).snapshot();
 */

type Branded = Rpc.DurableObjectBranded | undefined;
type Namespace<T extends Branded> = DurableObjectNamespace<T>;

export const SYSTEM_NAME = "system";
const DIRECTORY_NAME = "directory";
const REVOCATIONS_NAME = "revocations";
const DEAD_LETTERS_NAME = "dead-letters";
const CANARY_ZONE_NAME = "system:canary";

/** Shards spread the edge's own records (each object serves about a thousand calls a second). */
export const LEDGER_SHARDS = 8;

/** A zone object's name; also what its breaker, its live host entry and its history origin go by. */
export function zoneName(marketId: string, zone: string): string {
  return `${marketId}:${zone}`;
}

/** The market and zone a zone object's name stands for (the zone, an H3 index, is after the last colon). */
export function parseZoneName(name: string): { market: string; zone: string } | undefined {
  const at = name.lastIndexOf(":");
  return at > 0 && at < name.length - 1 ? { market: name.slice(0, at), zone: name.slice(at + 1) } : undefined;
}

/** A ledger shard's name (any shard will do for any record). */
export function ledgerName(shard: number): string {
  return `ledger:${shard}`;
}

export function zoneStub<T extends Branded>(env: { ZONES: Namespace<T> }, marketId: string, zone: string): DurableObjectStub<T> {
  return env.ZONES.getByName(zoneName(marketId, zone));
}

/** A zone object outside every market: answers `ping`, so a probe sees whether zones can be reached at all. */
export function canaryZoneStub<T extends Branded>(env: { ZONES: Namespace<T> }): DurableObjectStub<T> {
  return env.ZONES.getByName(CANARY_ZONE_NAME);
}

export function marketFeedStub<T extends Branded>(env: { MARKET_FEEDS: Namespace<T> }, marketId: string): DurableObjectStub<T> {
  return env.MARKET_FEEDS.getByName(marketId);
}

export function systemStub<T extends Branded>(env: { SYSTEM: Namespace<T> }): DurableObjectStub<T> {
  return env.SYSTEM.getByName(SYSTEM_NAME);
}

export function directoryStub<T extends Branded>(env: { MARKETS: Namespace<T> }): DurableObjectStub<T> {
  return env.MARKETS.getByName(DIRECTORY_NAME);
}

export function revocationsStub<T extends Branded>(env: { REVOCATIONS: Namespace<T> }): DurableObjectStub<T> {
  return env.REVOCATIONS.getByName(REVOCATIONS_NAME);
}

export function ledgerStub<T extends Branded>(env: { LEDGERS: Namespace<T> }, shard: number): DurableObjectStub<T> {
  return env.LEDGERS.getByName(ledgerName(shard));
}

export function deadLettersStub<T extends Branded>(env: { DEAD_LETTERS: Namespace<T> }): DurableObjectStub<T> {
  return env.DEAD_LETTERS.getByName(DEAD_LETTERS_NAME);
}

/** A market's notification hub: its subscriptions, matching and deliveries (the notifications worker's object). */
export function notificationHubStub<T extends Branded>(
  env: { NOTIFICATION_HUBS: Namespace<T> },
  marketId: string,
): DurableObjectStub<T> {
  return env.NOTIFICATION_HUBS.getByName(marketId);
}

/** A Durable Object that holds live sockets: a zone (by its name), or a market's feed (by the market's id). */
export interface LiveHost {
  kind: "zone" | "feed";
  name: string;
}

export function liveHostStub<Z extends Branded, F extends Branded>(
  env: { ZONES: Namespace<Z>; MARKET_FEEDS: Namespace<F> },
  host: LiveHost,
): DurableObjectStub<Z> | DurableObjectStub<F> {
  return host.kind === "zone" ? env.ZONES.getByName(host.name) : env.MARKET_FEEDS.getByName(host.name);
}

/**
 * The object whose outbox a history row came from (`Origin`), to confirm or ask it. A
 * notification hub's rows go only to the notifications worker, whose env binds the hubs.
 */
export function outboxStub<Z extends Branded, S extends Branded, L extends Branded, N extends Branded = undefined>(
  env: { ZONES: Namespace<Z>; SYSTEM: Namespace<S>; LEDGERS: Namespace<L>; NOTIFICATION_HUBS?: Namespace<N> },
  origin: Origin,
): DurableObjectStub<Z> | DurableObjectStub<S> | DurableObjectStub<L> | DurableObjectStub<N> {
  switch (origin.host) {
    case "notifications":
      if (!env.NOTIFICATION_HUBS) throw new Error("only the notifications worker hears notification hubs");
      return env.NOTIFICATION_HUBS.getByName(origin.name);
    case "zone":
      return env.ZONES.getByName(origin.name);
    case "system":
      return env.SYSTEM.getByName(origin.name);
    case "ledger":
      return env.LEDGERS.getByName(origin.name);
  }
}

/**
 * Tells each outbox which of its rows a consumer has handled (written, delivered or parked),
 * grouped by origin: one call per object. Returns how many objects could not be told (they
 * send those rows again, which a consumer's idempotence absorbs).
 */
export async function confirmToOrigins(
  env: Parameters<typeof outboxStub>[0],
  envelopes: ReadonlyArray<{ origin: Origin; seq: number } | undefined>,
): Promise<number> {
  const byOrigin = new Map<string, { origin: Origin; seqs: number[] }>();
  for (const e of envelopes) {
    if (!e || e.origin.name === "") continue;
    const key = `${e.origin.host}\u0000${e.origin.name}`;
    const entry = byOrigin.get(key) ?? { origin: e.origin, seqs: [] };
    entry.seqs.push(e.seq);
    byOrigin.set(key, entry);
  }
  const results = await Promise.allSettled(
    [...byOrigin.values()].map(({ origin, seqs }) =>
      (outboxStub(env, origin) as unknown as { confirm(seqs: number[]): Promise<number> }).confirm(seqs),
    ),
  );
  return results.filter((r) => r.status === "rejected").length;
}
