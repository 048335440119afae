import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { z } from "zod";
import {
  type DemandEvent,
  DemandEventSchema,
  EventBatchSchema,
  IngestResultSchema,
  MAX_BATCH_EVENTS,
  MAX_CLOCK_SKEW_MS,
  MAX_EVENT_AGE_MS,
  MAX_PERSONAL_BATCH_EVENTS,
  quickDemandEvent,
  quickSupplyEvent,
  type SupplyEvent,
  SupplyEventSchema,
} from "../../../shared/contracts/api";
import type { ZoneBatch, ZoneEvent } from "../../../shared/contracts/history";
import { zoneName, zoneStub } from "../../../shared/contracts/objects";
import type { MarketIndex } from "../../../shared/pricing/zoning";
import { type AppEnv, router } from "../app";
import { allowsMarket, type Principal } from "../auth/principal";
import { guarded } from "../dependencies";
import { requestLocale } from "../locale";
import { marketIndex } from "../market-index";
import { fieldErrors, ProblemError, problemDoc } from "../problem";
import { systemSnapshot } from "../system";

/**
 * Ingest: a batch of supply or demand events is checked event by event, located on the H3 grid,
 * grouped by zone and handed to each zone object in one call. A bad event rejects only itself.
 *
 * Who may report what:
 * - a **service** token (a partner's back end) reports for any of its drivers and riders;
 * - a **driver** token reports only its own supply: `driverId` is the token's subject;
 * - a **rider** token reports only its own demand: `riderId` is the token's subject (filled in
 *   when absent), and a rider counts once per cell per half-life however many events it sends;
 * - personal tokens send at most `MAX_PERSONAL_BATCH_EVENTS` per batch.
 * Event ids, drivers and riders are the reporting principal's own: two principals choosing the
 * same ids never collide (the replay guard and history are keyed by kind, principal and id).
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
    const errors = fieldErrors(body.error, requestLocale(c));
    throw new ProblemError(
      422,
      { code: "invalid-batch", params: { field: errors[0]?.path ?? "events", reason: errors[0]?.message ?? "" } },
      { errors },
    );
  }
  const list = body.data.events;
  const principal = c.get("principal");
  if (!principal) throw new ProblemError(401, { code: "ingest-token-required" });
  const trusted = principal.roles.includes("service");
  const limit = trusted ? MAX_BATCH_EVENTS : MAX_PERSONAL_BATCH_EVENTS;
  if (list.length > limit)
    throw new ProblemError(413, {
      code: "batch-too-large",
      params: { limit, personal: trusted ? "false" : "true", count: list.length },
    });
  if ((await systemSnapshot(c.env))?.draining)
    throw new ProblemError(503, { code: "draining", params: { what: "events" } }, {}, { "retry-after": "5" });

  const index = await marketIndex(c.env);
  const now = Date.now();
  const rejections: Rejection[] = [];
  const batches = new Map<string, ZoneBatch>();

  for (const [i, raw] of list.entries()) {
    const placed = place(raw, kind, index, now, principal, trusted);
    if (typeof placed === "string") {
      rejections.push({ index: i, reason: placed });
      continue;
    }
    const { key, market, zone, event } = placed;
    let batch = batches.get(key);
    if (!batch) {
      batch = { market, zone, source: principal.subject, events: [] };
      batches.set(key, batch);
    }
    event.index = i;
    batch.events.push(event);
  }

  let accepted = 0;
  let duplicate = 0;
  let unavailable = 0;
  const zones = [...batches.entries()];
  const results = await Promise.allSettled(
    zones.map(([key, batch]) =>
      guarded(c.env, c.executionCtx, "zones", key, () => zoneStub(c.env, batch.market.id, batch.zone).ingest(batch)),
    ),
  );
  results.forEach((result, z) => {
    const batch = zones[z]?.[1];
    if (!batch) return;
    const size = batch.events.length;
    if (result.status === "fulfilled" && result.value.refused) {
      // The zone's history has backed up: it takes nothing it could not keep. Nothing was stored.
      unavailable += size;
      for (const e of batch.events)
        rejections.push({ index: e.index, reason: "history backlog full in this zone: retry the batch later", retryable: true });
      return;
    }
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
    for (const e of batch.events)
      rejections.push({ index: e.index, reason: "zone temporarily unavailable: retry the batch", retryable: true });
  });
  rejections.sort((a, b) => a.index - b.index);

  const result = { accepted, duplicate, rejected: rejections.length, rejections };
  if (accepted + duplicate === 0) {
    if (unavailable > 0) throw new ProblemError(503, { code: "zones-unavailable" }, result, { "retry-after": "1" });
    throw new ProblemError(
      422,
      { code: "batch-rejected", params: { index: rejections[0]?.index ?? 0, reason: rejections[0]?.reason ?? "" } },
      result,
    );
  }
  return c.json(result, 202);
}

type Placed = {
  key: string;
  market: ZoneBatch["market"];
  zone: string;
  event: ZoneEvent;
};

/** Validates one event, checks the caller may report it, and finds its cell and zone; a string is the reason it is rejected. */
function place(
  raw: unknown,
  kind: "supply" | "demand",
  index: MarketIndex,
  now: number,
  caller: Principal,
  trusted: boolean,
): Placed | string {
  let e: SupplyEvent | DemandEvent | undefined = kind === "supply" ? quickSupplyEvent(raw) : quickDemandEvent(raw);
  if (e === undefined) {
    // Not obviously valid: the schema decides, and says why.
    const parsed = kind === "supply" ? SupplyEventSchema.safeParse(raw) : DemandEventSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = fieldErrors(parsed.error)[0];
      return `${issue?.path}: ${issue?.message}`;
    }
    e = parsed.data;
  }
  let actorId: string | null;
  let status: string;
  if ("driverId" in e) {
    if (!trusted && e.driverId !== caller.subject) return "driverId: a driver's token reports only its own driver (its subject)";
    actorId = e.driverId;
    status = e.status;
  } else {
    if (!trusted && e.riderId !== undefined && e.riderId !== caller.subject)
      return "riderId: a rider's token reports only its own rider (its subject)";
    actorId = trusted ? (e.riderId ?? null) : caller.subject;
    status = e.kind;
  }
  const at = typeof e.at === "number" ? e.at : Date.parse(e.at);
  if (at > now + MAX_CLOCK_SKEW_MS) return "at: more than 5 minutes in the future";
  if (at < now - MAX_EVENT_AGE_MS) return "at: more than 24 hours old";
  const where = index.locate(e.lat, e.lng);
  if (!where) return "lat/lng: outside every market";
  if (!allowsMarket(caller, where.market.id)) return `lat/lng: in market ${where.market.id}, which this token may not write to`;
  const market = { id: where.market.id, version: where.market.version };
  return {
    key: zoneName(market.id, where.zone),
    market,
    zone: where.zone,
    event: { index: 0, kind, eventId: e.eventId, cell: where.cell, at, actorId, status },
  };
}
