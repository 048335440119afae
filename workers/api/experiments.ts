import { httpDatabase, openPool } from "../../db/client";
import { guardrailEventsSql, liveExperimentsSql, resultRowsSql, stopExperiment, unitWindowRows } from "../../db/experiments";
import type { FailureEvent } from "../../shared/contracts/history";
import { zoneStub } from "../../shared/contracts/objects";
import { analyse, type ExperimentResults } from "../../shared/experiments/analysis";
import { inputSource, type StoredExperiment, zoneInputs } from "../../shared/experiments/assignment";
import { zoneOf } from "../../shared/pricing/zoning";
import { keepRecord } from "./ledger";
import { marketIndex } from "./market-index";

/**
 * The experiments' job at the edge: each zone of an experiment's market is told the current
 * window's arms of its cells (`zoneInputs`, until the window ends) — by the every-minute cron
 * (windows are whole minutes, so each begins on a cron tick), when an experiment is put and when
 * it stops (which clears them). A zone that misses a push prices with the market's settings once
 * the last window's inputs end: an experiment never holds a price past its window.
 *
 * Live experiments with guardrails are judged every `GUARDRAIL_EVERY_MINUTES` from Postgres; a
 * breached guardrail stops the experiment with a failure event, which the market's operators are
 * also told of through the notifications worker.
 */

const GUARDRAIL_EVERY_MINUTES = 5;
/** An experiment that ended this recently is still pushed once more (which clears its inputs). */
const ENDED_GRACE_MS = 2 * 60_000;

/** Tells every zone of the experiment's market its cells' arms now (none, when it does not price now). */
export async function pushAssignments(env: Env, e: StoredExperiment, now: number): Promise<{ zones: number; failed: number }> {
  const index = await marketIndex(env);
  const market = index.market(e.market);
  const cells = index.cellsOf(e.market);
  if (!market || !cells) return { zones: 0, failed: 0 };
  const byZone = new Map<string, string[]>();
  for (const cell of cells) {
    const zone = zoneOf(cell, market.zoneResolution);
    const list = byZone.get(zone) ?? [];
    list.push(cell);
    byZone.set(zone, list);
  }
  const ref = { id: market.id, version: market.version };
  const results = await Promise.allSettled(
    [...byZone].map(([zone, own]) =>
      zoneStub(env, market.id, zone).setInputs(ref, zone, inputSource(e.id), zoneInputs(e, own, now)),
    ),
  );
  return { zones: byZone.size, failed: results.filter((r) => r.status === "rejected").length };
}

/** The results of an experiment from Postgres (HTTP driver). */
export async function resultsOf(env: Env, e: StoredExperiment): Promise<ExperimentResults> {
  const parts = await httpDatabase(env).execute(resultRowsSql(e));
  return analyse(e, unitWindowRows(e, parts.rows as Record<string, unknown>[]));
}

/**
 * Stops a live experiment whose guardrail the results show breached: in Postgres with a failure
 * event (one transaction), then every zone's inputs cleared. Undefined when nothing was breached
 * or it was stopped already.
 */
export async function stopIfBreached(env: Env, e: StoredExperiment, results: ExperimentResults, now: number) {
  const g = results.breached;
  if (!g || e.mode !== "live" || e.stoppedAt !== null) return undefined;
  const reason = `guardrail breached: ${g.metric} of ${g.variant} is worse than ${Math.round(g.tolerance * 100)}% (${g.worseIf === "lower" ? "lower" : "higher"}), relative interval [${g.relativeCi?.map((x) => x.toFixed(3)).join(", ")}]`;
  const failure: FailureEvent = {
    id: crypto.randomUUID(),
    at: now,
    kind: "experiment",
    subject: `experiment:${e.id}`,
    status: "stopped",
    detail: { market: e.market, reason, guardrail: g },
  };
  const { pool, db } = openPool(env);
  try {
    const stopped = await db.transaction((tx) => stopExperiment(tx as unknown as typeof db, e.id, now, reason, failure));
    if (!stopped?.stopped) return undefined;
    // Operators subscribed to `experiment.guardrail` hear of it (the event's id makes a second telling harmless).
    await keepRecord(env, { type: "failure", event: failure }, undefined, "notifications");
    await pushAssignments(env, stopped.experiment, now);
    return stopped.experiment;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * The every-minute job: pushes each live experiment's window and, every few minutes, judges the
 * guardrails of live ones. Postgres away: nothing is pushed, and zones fall back to the market's
 * settings as their windows end (pricing degrades to the plain curve, it never stops).
 */
export async function experimentWindows(env: Env, now = Date.now()): Promise<void> {
  let experiments: StoredExperiment[];
  try {
    const result = await httpDatabase(env).execute(liveExperimentsSql(now, ENDED_GRACE_MS));
    experiments = (result.rows as Array<{ body: StoredExperiment }>).map((r) => r.body);
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", message: "experiments unreadable; windows not pushed", error: String(err) }));
    return;
  }
  const judge = Math.floor(now / 60_000) % GUARDRAIL_EVERY_MINUTES === 0;
  await Promise.allSettled(
    experiments.map(async (e) => {
      await pushAssignments(env, e, now);
      if (judge && e.mode === "live" && e.guardrails.length > 0) await stopIfBreached(env, e, await resultsOf(env, e), now);
    }),
  );
  if (judge) await retellGuardrailStops(env, now);
}

/**
 * Tells the notifications worker again of the guardrail stops of the last two judging rounds:
 * a stop is committed in Postgres before it is told, so a telling lost in between (both ledger
 * shards refusing) is made good here. Each event is heard once however often it is told (its id
 * names the notice).
 */
async function retellGuardrailStops(env: Env, now: number): Promise<void> {
  try {
    const since = now - 2 * GUARDRAIL_EVERY_MINUTES * 60_000;
    const rows = (await httpDatabase(env).execute(guardrailEventsSql(since))).rows as Array<Record<string, unknown>>;
    for (const r of rows) {
      const event: FailureEvent = {
        id: String(r.id),
        at: Number(r.at),
        kind: "experiment",
        subject: String(r.subject),
        status: String(r.status),
        detail: (typeof r.detail === "string" ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
      };
      await keepRecord(env, { type: "failure", event }, undefined, "notifications");
    }
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", message: "guardrail stops not told again", error: String(err).slice(0, 300) }));
  }
}
