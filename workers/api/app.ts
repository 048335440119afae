import { OpenAPIHono } from "@hono/zod-openapi";
import type { SQL } from "drizzle-orm";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { z } from "zod";
import { httpDatabase, openPool, type PoolDatabase } from "../../db/client";
import type { Locale } from "../../shared/i18n/locales";
import { answerHeaders } from "./answer-headers";
import { authorize, identify } from "./auth/access";
import type { Principal } from "./auth/principal";
import { cors } from "./cors";
import { guarded } from "./dependencies";
import { limits } from "./limits";
import { locale, requestLocale } from "./locale";
import { invalid, ProblemError, type ProblemText, problemResponse, renderProblem } from "./problem";
import { recordRequest, takeDue } from "./request-metrics";
import { currentMode } from "./system";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The access rule the request matched (its id); unset when none did. */
    route: string;
    routeParams: Record<string, string>;
    principal: Principal | undefined;
    /** Why the credentials were refused, kept until the rate limits have counted the request. */
    refusal: ProblemError | undefined;
    /** The locale answers speak (`workers/api/locale.ts`): per request, never per isolate. */
    locale: Locale;
  };
}

/** Largest request body accepted: a full ingest batch of 1,000 events fits with room to spare. */
export const MAX_BODY_BYTES = 512 * 1024;

/** A router whose validation failures become problems. Every route module makes its own. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const target = (result as { target?: string }).target;
        const where = target === "query" ? "query" : target === "param" ? "path" : "body";
        const ctx = c as Context<AppEnv>;
        const input = where === "query" ? ctx.req.query() : where === "path" ? ctx.req.param() : undefined;
        throw invalid(result.error as z.ZodError, where, requestLocale(ctx), input);
      }
      return undefined;
    },
  });
}

/**
 * Routes whose successful answers are not logged one by one unless slower than `SLOW_MS`: the
 * ones that come at the rate of riders, drivers and probes (ingest, quotes, readings, liveness).
 * Each of their requests is still counted by route, mode, outcome and latency (the request
 * metrics sent to history, and Analytics Engine), and the platform's own invocation log
 * (`[observability]`) keeps method, path, status, duration and the `cf-ray` that is the request
 * id; a line per answer beside those would cost a log write per quote (about 7 % of a quote
 * measured locally) and, at the platform's scale, billions of lines a month. Refusals and
 * failures on these routes, and every request on the others, are logged.
 */
const QUIET_WHEN_FINE = new Set(["quotes.create", "quotes.verify", "events.supply", "events.demand", "surge.get", "health.live"]);
const SLOW_MS = 1_000;

/** The edge app's shared middleware: request ids, size limits, problems for every failure. */
export function base(): OpenAPIHono<AppEnv> {
  const app = router();
  app.use("*", async function requestLog(c, next) {
    const id = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", id);
    const started = Date.now();
    await next();
    answerHeaders(c, [["x-request-id", id]]);
    const route = c.get("route") ?? "unmatched";
    const ms = Date.now() - started;
    recordRequest(route, currentMode(), c.res.status, ms);
    c.env.METRICS?.writeDataPoint({ indexes: [route], blobs: [route, String(c.res.status), currentMode()], doubles: [ms, 1] });
    const due = takeDue();
    if (due)
      c.executionCtx.waitUntil(
        c.env.HISTORY.send({ type: "requests", counts: due }, { contentType: "json" }).catch(() => undefined),
      );
    // One structured line per request (never a header, body, token or query value), but for
    // the hot routes' answers that went well and fast: see `QUIET_WHEN_FINE`.
    if (c.res.status < 400 && QUIET_WHEN_FINE.has(route) && ms < SLOW_MS) return;
    console.log(
      JSON.stringify({
        level: c.res.status >= 500 ? "error" : "info",
        requestId: id,
        method: c.req.method,
        path: c.req.path,
        route: c.get("route"),
        status: c.res.status,
        ms,
        subject: c.get("principal")?.subject,
      }),
    );
  });
  app.use("*", secureHeaders({ crossOriginResourcePolicy: "same-site", xFrameOptions: "DENY" }));
  app.use(
    "*",
    cors({
      // An allow-list per environment (CORS_ORIGINS); the console is same-origin and needs none.
      allow: (origin, c) => allowedOrigins(c.env.CORS_ORIGINS).includes(origin),
      allowMethods: ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"],
      allowHeaders: ["authorization", "content-type"],
      exposeHeaders: ["x-request-id", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"],
      maxAgeSeconds: 600,
    }),
  );
  // Who is calling and which rule applies; then the limits count the request (a refused token
  // included, against its address); then the rule is enforced, before any route's handler.
  app.use("*", identify());
  // The caller's language, once its saved locale is known: every answer from here on speaks it.
  app.use("*", locale());
  app.use("*", limits());
  app.use("*", authorize());
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => problemResponse(c, 413, { code: "payload-too-large", params: { bytes: MAX_BODY_BYTES } }),
    }),
  );
  app.onError(renderProblem);
  app.notFound((c) =>
    problemResponse(c, 404, { code: "no-route", params: { method: c.req.method, path: new URL(c.req.url).pathname } }),
  );
  return app;
}

/**
 * Runs work against Postgres on a pooled connection for this request (writes, transactions).
 * A database that cannot answer is a 503 the client may retry, never a 500; pricing never comes here.
 */
export async function withDatabase<T>(c: Context<AppEnv>, work: (db: PoolDatabase) => Promise<T>): Promise<T> {
  const { pool, db } = openPool(c.env);
  try {
    return await databaseWork(c, () => guarded(c.env, c.executionCtx, "postgres", "postgres", () => work(db)));
  } finally {
    c.executionCtx.waitUntil(pool.end().catch(() => undefined));
  }
}

/**
 * Work that opens its own connection and puts each statement through the Postgres breaker itself
 * (a drafting pass, which waits on a translator between statements): its failure is the same 503
 * as `withDatabase`'s, without a second breaker around the first.
 */
export async function databaseWork<T>(c: Context<AppEnv>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw unavailable(c, err, { code: "database-unreachable" });
  }
}

/** One read over the HTTP driver (no connection to keep); unreachable is a 503 saying `detail`. */
export async function readDatabase(
  c: Context<AppEnv>,
  query: SQL,
  detail: ProblemText | string,
): Promise<Record<string, unknown>[]> {
  try {
    const result = await guarded(c.env, c.executionCtx, "postgres", "postgres", () => httpDatabase(c.env).execute(query));
    return result.rows as Record<string, unknown>[];
  } catch (err) {
    throw unavailable(c, err, detail);
  }
}

/** A failed database call as the problem a client sees: logged once here, 503 with Retry-After. */
function unavailable(c: Context<AppEnv>, err: unknown, detail: ProblemText | string): ProblemError {
  if (err instanceof ProblemError) return err;
  const cause = (err as { cause?: Error }).cause;
  console.error(
    JSON.stringify({
      level: "warn",
      requestId: c.get("requestId"),
      message: "database call failed",
      error: (cause?.message ?? String(err)).slice(0, 500),
    }),
  );
  return new ProblemError(503, detail, {}, { "retry-after": "5" });
}

function allowedOrigins(setting: string): string[] {
  return setting
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
}
