import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { readDatabase, router } from "../app";
import { ProblemError, problemDoc } from "../problem";

/** The audit log: who changed which market, override, key or user, and when. Admins only. */
export const audit = router();

const Query = z.object({
  market: z.string().max(40).optional(),
  actor: z.string().max(300).optional(),
  action: z.string().max(60).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const Entry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  roles: z.array(z.string()),
  action: z.string(),
  target: z.string(),
  market: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

audit.openapi(
  createRoute({
    method: "get",
    path: "/v1/admin/audit",
    summary: "Operators' and admins' actions, newest first",
    tags: ["admin"],
    request: { query: Query },
    responses: {
      200: { description: "Entries", content: { "application/json": { schema: z.object({ entries: z.array(Entry) }) } } },
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    if (q.from && q.to && Date.parse(q.to) <= Date.parse(q.from)) throw new ProblemError(422, { code: "range-reversed" });
    const conditions = [sql`true`];
    if (q.market) conditions.push(sql`market_id = ${q.market}`);
    if (q.actor) conditions.push(sql`actor = ${q.actor}`);
    if (q.action) conditions.push(sql`action = ${q.action}`);
    if (q.from) conditions.push(sql`at >= ${new Date(q.from).toISOString()}`);
    if (q.to) conditions.push(sql`at < ${new Date(q.to).toISOString()}`);
    const rows = await readDatabase(
      c,
      sql`select id, at, actor, roles, action, target, market_id, request_id, detail from audit_log
        where ${sql.join(conditions, sql` and `)} order by at desc, id limit ${q.limit}`,
      { code: "history-unreachable", params: { what: "audit" } },
    );
    return c.json(
      {
        entries: rows.map((r) => ({
          id: String(r.id),
          at: new Date(r.at as string).toISOString(),
          actor: String(r.actor),
          roles: r.roles as string[],
          action: String(r.action),
          target: String(r.target),
          market: (r.market_id as string | null) ?? null,
          requestId: (r.request_id as string | null) ?? null,
          detail: r.detail as Record<string, unknown>,
        })),
      },
      200,
    );
  },
);
