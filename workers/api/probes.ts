import { Redis } from "@upstash/redis/cloudflare";
import { sql } from "drizzle-orm";
import { httpDatabase } from "../../db/client";
import { canaryZoneStub, systemStub } from "../../shared/contracts/objects";
import type { DependencyName } from "../../shared/platform/health";
import { breaker } from "./dependencies";

/**
 * Active checks of every dependency, run by the cron trigger every minute (and by
 * `/health/ready` and `POST /v1/system/probe`). Each answers within `TIMEOUT_MS` or fails.
 */
const TIMEOUT_MS = 3_000;

export interface ProbeResult {
  status: "ok" | "failing";
  latencyMs: number;
  error?: string;
}

async function timed(work: () => Promise<unknown>): Promise<ProbeResult> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      work(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { status: "ok", latencyMs: Date.now() - started };
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    return { status: "failing", latencyMs: Date.now() - started, error: (cause?.message ?? String(err)).slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

export async function probeAll(env: Env): Promise<Record<DependencyName, ProbeResult>> {
  const [postgres, redis, queue, zones] = await Promise.all([
    timed(() => httpDatabase(env).execute(sql`select 1`)),
    timed(async () => {
      if (!env.UPSTASH_REDIS_REST_URL) throw new Error("not configured: rate limits on the per-isolate fallback");
      await new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, retry: false }).ping();
    }),
    // A message the consumer accepts and writes nothing for: the queue took it, or it did not.
    timed(() => env.HISTORY.send({ type: "requests", counts: [] }, { contentType: "json" })),
    timed(() => canaryZoneStub(env).ping()),
  ]);
  return { postgres, redis, queue, zones };
}

/** Probes and tells the system-mode object; a healthy probe also closes this isolate's breakers sooner. */
export async function probeAndReport(env: Env): Promise<Record<DependencyName, ProbeResult>> {
  const results = await probeAll(env);
  const system = systemStub(env);
  for (const [name, r] of Object.entries(results) as Array<[DependencyName, ProbeResult]>) {
    if (r.status === "ok" && name !== "zones") breaker(name).success(Date.now());
    await system.report(name, r.status, { latencyMs: r.latencyMs, error: r.error }).catch(() => undefined);
  }
  return results;
}
