import type { Context } from "hono";
import { zoneName, zoneStub } from "../../shared/contracts/objects";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import { type PricedQuote, priceQuote, type QuotePricing } from "../../shared/pricing/quote";
import { effectiveCap } from "../../shared/pricing/surge";
import type { MarketRef } from "../../shared/pricing/zone-config";
import { type CellReading, capReading, restingExplanation } from "../../shared/pricing/zone-state";
import type { AppEnv } from "./app";
import { guarded } from "./dependencies";
import { keepRecord } from "./ledger";
import { overrideCap, systemSnapshot } from "./system";

/**
 * A cell's multiplier for a quote or a surge reading. Normally the zone object answers. When it
 * cannot (failing, overloaded, its breaker open), the last multiplier this isolate saw for the
 * cell is used if it is at most `MAX_STALE_MS` old, else 1.0 — and the answer says so. An
 * operator's emergency cap applies either way.
 */
export const MAX_STALE_MS = 5 * 60_000;

export interface Degraded {
  reason: "zone-unavailable";
  basis: "last-known" | "default";
  ageSeconds: number | null;
}

/** Each cell's last reading here, good until `MAX_STALE_MS` after the zone computed it; 20,000 cells is a large city's. */
const lastKnown = new ExpiringMap<string, CellReading>({ maxEntries: 20_000 });

/**
 * Readings fetched within the last tick, by cell: a reading is what the zone computed at its
 * last tick, so asking again within one tick gets the same answer. 20,000 cells at most, each
 * for `updateIntervalMs` after it was fetched.
 */
const recent = new ExpiringMap<string, CellReading>({ maxEntries: 20_000 });

/**
 * Keeps a reading the zone answered. The same tick's reading again (every quote of a busy cell
 * brings one) replaces nothing: a copy that would only have displaced its twin is young garbage
 * instead of an old one, and the caches' maps are left as they are.
 */
function remember(reading: CellReading, fresh?: { forMs: number }): void {
  if (!sameTick(lastKnown.stale(reading.cell), reading))
    lastKnown.set(reading.cell, reading, reading.computedAt + MAX_STALE_MS - Date.now());
  if (fresh && !(recent.has(reading.cell) && sameTick(recent.stale(reading.cell), reading)))
    recent.set(reading.cell, reading, fresh.forMs);
}

/** Whether two readings are the same computation of a cell, under the same cap. */
function sameTick(held: CellReading | undefined, reading: CellReading): boolean {
  return (
    held !== undefined &&
    held.computedAt === reading.computedAt &&
    held.seq === reading.seq &&
    held.shownTenths === reading.shownTenths
  );
}

/**
 * A cell's reading for `GET /v1/surge`: from this isolate's copy when it is less than one tick
 * old (`tickMs`), else from the zone. An operator's cap this isolate knows of binds at once
 * either way (the zone applies it, and so does the copy).
 */
export async function readCell(
  c: Context<AppEnv>,
  market: MarketRef & { cap: number; tickMs: number },
  zone: string,
  cell: string,
): Promise<{ reading: CellReading; degraded: Degraded | null }> {
  const key = zoneName(market.id, zone);
  const cap = overrideCap(await systemSnapshot(c.env), market.id, cell);
  const copy = recent.get(cell);
  if (copy) return { reading: capReading(copy, effectiveCap({ cap: market.cap }, cap)), degraded: null };
  try {
    const reading = await guarded(c.env, c.executionCtx, "zones", key, () =>
      zoneStub(c.env, market.id, zone).reading({ id: market.id, version: market.version }, zone, cell, cap),
    );
    remember(reading, { forMs: market.tickMs });
    return { reading, degraded: null };
  } catch (err) {
    return fallback(c, market, cell, err);
  }
}

/**
 * A quote priced at a cell: the zone prices it and keeps its record in one call (its reading then
 * serves this isolate's readings for one tick). When the zone cannot answer, the edge prices it
 * from the fallback reading and keeps the record in a ledger shard. Either way the multiplier
 * charged is under every cap that binds now.
 */
export async function quoteAt(
  c: Context<AppEnv>,
  market: MarketRef & { cap: number; tickMs: number },
  zone: string,
  pricing: QuotePricing,
): Promise<{ reading: CellReading; priced: PricedQuote; degraded: Degraded | null }> {
  const key = zoneName(market.id, zone);
  const ref = { id: market.id, version: market.version };
  try {
    const { reading, priced } = await guarded(c.env, c.executionCtx, "zones", key, () =>
      zoneStub(c.env, market.id, zone).quote(ref, zone, pricing),
    );
    remember(reading, { forMs: market.tickMs });
    return { reading, priced, degraded: null };
  } catch (err) {
    const { reading, degraded } = await fallback(c, market, pricing.cell, err);
    const priced = priceQuote(pricing, reading.shownTenths);
    await keepRecord(c.env, { type: "quote", quote: priced.record }, c.get("requestId"));
    return { reading, priced, degraded };
  }
}

/** The last known reading of a cell (at most `MAX_STALE_MS` old) or 1.0, under the caps that bind now. */
async function fallback(
  c: Context<AppEnv>,
  market: MarketRef & { cap: number },
  cell: string,
  err: unknown,
): Promise<{ reading: CellReading; degraded: Degraded }> {
  console.error(
    JSON.stringify({
      level: "warn",
      requestId: c.get("requestId"),
      message: "zone unavailable; pricing from last known",
      cell,
      error: String(err).slice(0, 200),
    }),
  );
  const now = Date.now();
  const fresh = lastKnown.get(cell);
  const cap = overrideCap(await systemSnapshot(c.env), market.id, cell, now);
  const base: CellReading = fresh ?? {
    cell,
    shownTenths: 10,
    seq: 0,
    supply: 0,
    demand: 0,
    computedAt: now,
    explanation: restingExplanation(0, 0, market.cap, cap),
  };
  const reading = capReading(base, effectiveCap({ cap: market.cap }, cap));
  c.header("equilibrium-degraded", "zone-unavailable");
  return {
    reading,
    degraded: {
      reason: "zone-unavailable",
      basis: fresh ? "last-known" : "default",
      ageSeconds: fresh ? Math.round((now - fresh.computedAt) / 1000) : null,
    },
  };
}
