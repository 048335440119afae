import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { z } from "zod";
import type { ZoneBatch, ZoneDemandEvent, ZoneSupplyEvent } from "../../../durable-objects/zone";
import {
  DemandEventSchema,
  EventBatchSchema,
  IngestResultSchema,
  MAX_BATCH_EVENTS,
  MAX_CLOCK_SKEW_MS,
  MAX_EVENT_AGE_MS,
  SupplyEventSchema,
} from "../../../shared/api";
import type { MarketIndex } from "../../../shared/zoning";
import { zoneKey } from "../../../shared/zoning";
import { type AppEnv, router } from "../app";
import { allowsMarket, type Principal } from "../auth/principal";
import { guarded } from "../dependencies";
import { marketIndex } from "../market-index";
import { fieldErrors, ProblemError, problemDoc } from "../problem";

/**
 * Ingest: a batch of supply or demand events is checked event by event, located on the H3 grid,
 * grouped by zone and handed to each zone object in one call. A bad event rejects only itself.
 */

type Rejection = z.infer<typeof IngestResultSchema>["rejections"][number];

function route(kind: "supply" | "demand", eventSchema: typeof SupplyEventSchema | typeof DemandEventSchema) {
  return createRoute({
    method: "post",
    path: `/v1/events/${kind}`,
    summary: `Ingest a batch of ${kind} events`,
    description: `At most ${MAX_BATCH_EVENTS} events. Each event is validated on its own: the response counts accepted, duplicate (eventId seen before; nothing changes) and rejected events, with each rejection's index and reason. A batch with no acceptable event is a 422.`,
    tags: ["events"],
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: EventBatchSchema.extend({ events: eventSchema.array() }) } },
      },
    },
    responses: {
      202: { description: "Accepted (see counts)", content: { "application/json": { schema: IngestResultSchema } } },
      413: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  });
}

export const events = router();

// Documented with the full schema, parsed by hand: the envelope strictly, each event on its own.
events.openAPIRegistry.registerPath(route("supply", SupplyEventSchema));
events.openAPIRegistry.registerPath(route("demand", DemandEventSchema));
events.post("/v1/events/supply", (c) => ingest(c, "supply"));
events.post("/v1/events/demand", (c) => ingest(c, "demand"));

async function ingest(c: Context<AppEnv>, kind: "supply" | "demand") {
  const body = EventBatchSchema.safeParse(await c.req.json());
  if (!body.success) {
    const errors = fieldErrors(body.error);
    throw new ProblemError(422, `Invalid batch: ${errors[0]?.path}: ${errors[0]?.message}`, { errors });
  }
  const list = body.data.events;
  if (list.length > MAX_BATCH_EVENTS)
    throw new ProblemError(413, `A batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${list.length}. Split it.`);

  const index = await marketIndex(c.env);
  const now = Date.now();
  const rejections: Rejection[] = [];
  const batches = new Map<string, ZoneBatch>();

  for (const [i, raw] of list.entries()) {
    const placed = place(raw, kind, index, now, c.get("principal"));
    if (typeof placed === "string") {
      rejections.push({ index: i, reason: placed });
      continue;
    }
    const { key, market, zone, event } = placed;
    let batch = batches.get(key);
    if (!batch) {
      batch = { market, zone, supply: [], demand: [] };
      batches.set(key, batch);
    }
    if ("driverId" in event) batch.supply.push({ ...event, index: i });
    else batch.demand.push({ ...event, index: i });
  }

  let accepted = 0;
  let duplicate = 0;
  let unavailable = 0;
  const zones = [...batches.entries()];
  const results = await Promise.allSettled(
    zones.map(([key, batch]) => guarded(c.env, c.executionCtx, "zones", key, () => c.env.ZONES.getByName(key).ingest(batch))),
  );
  results.forEach((result, z) => {
    const batch = zones[z]?.[1];
    if (!batch) return;
    const size = batch.supply.length + batch.demand.length;
    if (result.status === "fulfilled") {
      duplicate += result.value.duplicates.length;
      accepted += size - result.value.duplicates.length;
      return;
    }
    // Nothing of this zone's share was stored: the client retries the batch; replays are harmless.
    console.error(
      JSON.stringify({ level: "error", requestId: c.get("requestId"), zone: zones[z]?.[0], message: String(result.reason) }),
    );
    unavailable += size;
    for (const e of [...batch.supply, ...batch.demand])
      rejections.push({ index: e.index, reason: "zone temporarily unavailable: retry the batch", retryable: true });
  });
  rejections.sort((a, b) => a.index - b.index);

  const result = { accepted, duplicate, rejected: rejections.length, rejections };
  if (accepted + duplicate === 0) {
    if (unavailable > 0)
      throw new ProblemError(503, "No zone could take these events now; retry the batch.", result, { "retry-after": "1" });
    throw new ProblemError(
      422,
      `No event in the batch is acceptable; the first: #${rejections[0]?.index}: ${rejections[0]?.reason}`,
      result,
    );
  }
  return c.json(result, 202);
}

type Placed = {
  key: string;
  market: ZoneBatch["market"];
  zone: string;
  event: Omit<ZoneSupplyEvent, "index"> | Omit<ZoneDemandEvent, "index">;
};

/** Validates one event and finds its cell and zone; a string is the reason it is rejected. */
function place(
  raw: unknown,
  kind: "supply" | "demand",
  index: MarketIndex,
  now: number,
  caller: Principal | undefined,
): Placed | string {
  const parsed = kind === "supply" ? SupplyEventSchema.safeParse(raw) : DemandEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = fieldErrors(parsed.error)[0];
    return `${issue?.path}: ${issue?.message}`;
  }
  const e = parsed.data;
  const at = typeof e.at === "number" ? e.at : Date.parse(e.at);
  if (at > now + MAX_CLOCK_SKEW_MS) return "at: more than 5 minutes in the future";
  if (at < now - MAX_EVENT_AGE_MS) return "at: more than 24 hours old";
  const where = index.locate(e.lat, e.lng);
  if (!where) return "lat/lng: outside every market";
  if (!allowsMarket(caller, where.market.id)) return `lat/lng: in market ${where.market.id}, which this token may not write to`;
  const market = { id: where.market.id, version: where.market.version };
  const base = { key: zoneKey(market.id, where.zone), market, zone: where.zone };
  return "driverId" in e
    ? { ...base, event: { eventId: e.eventId, driverId: e.driverId, cell: where.cell, status: e.status, at } }
    : { ...base, event: { eventId: e.eventId, riderId: e.riderId, cell: where.cell, kind: e.kind, at } };
}
