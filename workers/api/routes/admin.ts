import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../app";
import { ProblemError, problemDoc } from "../problem";

/**
 * Operators' view of history that could not be written: the dead letters parked by the
 * analytics consumer, and replaying them once the cause is fixed.
 */
export const admin = router();

const Summary = z.object({ count: z.number().int(), oldest: z.string().nullable() });

async function relay(env: Env, path: string, method: string): Promise<unknown> {
  const res = await env.ANALYTICS.fetch(`https://analytics${path}`, { method });
  if (!res.ok) throw new ProblemError(503, `The analytics worker answered ${res.status}.`);
  return res.json();
}

admin.openapi(
  createRoute({
    method: "get",
    path: "/v1/admin/dead-letters",
    summary: "History messages that kept failing and are parked",
    tags: ["admin"],
    responses: { 200: { description: "Count and age", content: { "application/json": { schema: Summary } } }, 503: problemDoc },
  }),
  async (c) => c.json((await relay(c.env, "/dead-letters", "GET")) as z.infer<typeof Summary>, 200),
);

admin.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/dead-letters/replay",
    summary: "Send every parked message back to the history queue",
    tags: ["admin"],
    responses: {
      200: {
        description: "How many went",
        content: { "application/json": { schema: z.object({ replayed: z.number().int() }) } },
      },
      503: problemDoc,
    },
  }),
  async (c) => c.json((await relay(c.env, "/dead-letters/replay", "POST")) as { replayed: number }, 200),
);
