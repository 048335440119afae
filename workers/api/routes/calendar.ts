import { createRoute, z } from "@hono/zod-openapi";
import { withAudit } from "../../../db/audit";
import { calendarSql, saveCalendarEntry } from "../../../db/forecasts";
import { CalendarEntryIdSchema, CalendarEntryInputSchema } from "../../../shared/forecast/calendar";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { readDatabase, router, withDatabase } from "../app";
import { audited } from "../audit";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";

/**
 * Known happenings operators register — a concert, a match, a holiday — which the forecasts use
 * (the regression's calendar features; the next training reads them).
 */
export const calendar = router();

const EntrySchema = z.looseObject({
  entryId: z.string(),
  market: z.string(),
  name: z.string(),
  kind: z.string(),
  from: z.string(),
  to: z.string(),
  updatedAt: z.string(),
});

async function knownMarket(env: Env, id: string): Promise<void> {
  if (!(await marketIndex(env)).market(id)) throw new ProblemError(404, { code: "market-unknown", params: { market: id } });
}

function entryOut(market: string, row: Record<string, unknown>) {
  const body = (typeof row.body === "string" ? JSON.parse(row.body) : row.body) as Record<string, unknown>;
  const updated = row.updated_at instanceof Date ? row.updated_at : new Date(String(row.updated_at));
  return { entryId: String(row.entry_id), market, ...body, updatedAt: updated.toISOString() } as z.infer<typeof EntrySchema>;
}

calendar.openapi(
  createRoute({
    method: "put",
    path: "/v1/markets/{marketId}/calendar/{entryId}",
    summary: "Register or replace a known happening (a concert, a match, a holiday)",
    tags: ["forecasts"],
    request: {
      params: z.object({ marketId: MarketIdSchema, entryId: CalendarEntryIdSchema }),
      body: { required: true, content: { "application/json": { schema: CalendarEntryInputSchema } } },
    },
    responses: {
      200: { description: "Replaced", content: { "application/json": { schema: EntrySchema } } },
      201: { description: "Created", content: { "application/json": { schema: EntrySchema } } },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId, entryId } = c.req.valid("param");
    const input = c.req.valid("json");
    await knownMarket(c.env, marketId);
    const entry = audited(c, "calendar.put", entryId, marketId, { name: input.name, kind: input.kind });
    const { created } = await withDatabase(c, (db) =>
      withAudit(db, entry, (tx) => saveCalendarEntry(tx, marketId, entryId, input)),
    );
    return c.json({ entryId, market: marketId, ...input, updatedAt: new Date().toISOString() }, created ? 201 : 200);
  },
);

calendar.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/calendar",
    summary: "The market's known happenings, earliest first (from/to narrow them to those overlapping)",
    tags: ["forecasts"],
    request: {
      params: z.object({ marketId: MarketIdSchema }),
      query: z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() }),
    },
    responses: {
      200: {
        description: "Entries",
        content: { "application/json": { schema: z.object({ market: z.string(), entries: z.array(EntrySchema) }) } },
      },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const q = c.req.valid("query");
    await knownMarket(c.env, marketId);
    const range = q.from || q.to ? { from: q.from ? Date.parse(q.from) : 0, to: q.to ? Date.parse(q.to) : 8.64e15 } : undefined;
    const rows = await readDatabase(c, calendarSql(marketId, range), {
      code: "history-unreachable",
      params: { what: "calendar" },
    });
    return c.json({ market: marketId, entries: rows.map((r) => entryOut(marketId, r)) }, 200);
  },
);

calendar.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/calendar/{entryId}",
    summary: "One known happening",
    tags: ["forecasts"],
    request: { params: z.object({ marketId: MarketIdSchema, entryId: CalendarEntryIdSchema }) },
    responses: {
      200: { description: "The entry", content: { "application/json": { schema: EntrySchema } } },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId, entryId } = c.req.valid("param");
    await knownMarket(c.env, marketId);
    const rows = await readDatabase(c, calendarSql(marketId, undefined, entryId), {
      code: "history-unreachable",
      params: { what: "calendar" },
    });
    const row = rows[0];
    if (!row) throw new ProblemError(404, { code: "calendar-entry-unknown", params: { market: marketId, entry: entryId } });
    return c.json(entryOut(marketId, row), 200);
  },
);
