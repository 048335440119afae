import { createRoute, z } from "@hono/zod-openapi";
import { recordedMinutesSql, replayEventsSql } from "../../../db/experiments";
import { MAX_REPLAY_EVENTS, ReplayAnswerSchema, ReplayRequestSchema } from "../../../shared/contracts/experiments";
import { profile, type ReplayEvent, replay, warmUpMs } from "../../../shared/experiments/replay";
import { MarketIdSchema, type SurgeSettings } from "../../../shared/pricing/market";
import { readDatabase, router } from "../app";
import { marketIndex } from "../market-index";
import { ProblemError, type ProblemText, problemDoc } from "../problem";

/**
 * Replay: a period's recorded events run again through candidate settings with the pure core,
 * beside the market's current settings through the same replay and what history recorded live.
 */
export const replayRoute = router();

const UNAVAILABLE: ProblemText = { code: "history-unreachable", params: { what: "replay" } };

replayRoute.openapi(
  createRoute({
    method: "post",
    path: "/v1/markets/{marketId}/replay",
    summary: "Run a period's recorded events again through candidate surge settings and compare with what was live",
    description:
      "Multiplier distribution, time at the cap, changes and flaps per active cell-hour, for the candidate, for the market's current settings replayed, and as recorded. Nothing is charged or changed.",
    tags: ["experiments"],
    request: {
      params: z.object({ marketId: MarketIdSchema }),
      body: { required: true, content: { "application/json": { schema: ReplayRequestSchema } } },
    },
    responses: {
      200: { description: "The comparison", content: { "application/json": { schema: ReplayAnswerSchema } } },
      404: problemDoc,
      422: { ...problemDoc, description: "Invalid, or more recorded events than one replay reads" },
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const r = c.req.valid("json");
    const index = await marketIndex(c.env);
    const market = index.market(marketId);
    const cells = index.cellsOf(marketId);
    if (!market || !cells) throw new ProblemError(404, { code: "market-unknown", params: { market: marketId } });
    const from = Date.parse(r.from);
    const to = Date.parse(r.to);
    const live: SurgeSettings = market.surge;
    const candidate: SurgeSettings = { ...live, ...r.candidate };
    const warmUp = Math.max(warmUpMs(live), warmUpMs(candidate));
    const [rows, recorded] = await Promise.all([
      readDatabase(c, replayEventsSql(marketId, from - warmUp, to, MAX_REPLAY_EVENTS + 1), UNAVAILABLE),
      readDatabase(c, recordedMinutesSql(marketId, from, to), UNAVAILABLE),
    ]);
    if (rows.length > MAX_REPLAY_EVENTS)
      throw new ProblemError(422, {
        code: "replay-too-large",
        params: { max: MAX_REPLAY_EVENTS, from: new Date(from - warmUp).toISOString(), to: r.to },
      });
    const events: ReplayEvent[] = rows.map((e) => ({
      kind: e.kind as ReplayEvent["kind"],
      source: String(e.source),
      actorId: e.actor_id === null ? null : String(e.actor_id),
      cell: String(e.cell),
      at: Number(e.at_ms),
      status: String(e.status),
    }));
    const tried = replay(events, { cells, settings: candidate, from, to });
    const baseline = replay(events, { cells, settings: live, from, to });
    return c.json(
      {
        market: marketId,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        events: events.length,
        warmUpSeconds: Math.round(warmUp / 1000),
        candidate: {
          settings: r.candidate,
          profile: profile(tried.minutes, candidate.cap, r.flapMinutes),
          ticks: tried.ticks,
          changes: tried.changes,
        },
        live: {
          recorded: profile(
            recorded.map((m) => ({ cell: String(m.cell), minute: Number(m.minute_ms), multiplier: Number(m.multiplier) })),
            live.cap,
            r.flapMinutes,
          ),
          replayed: profile(baseline.minutes, live.cap, r.flapMinutes),
        },
        assumptions: [
          "Replay prices every cell of the market as one state: neighbours across zone borders pool at once, where zones hear each other's borders a tick late.",
          "Riders and drivers behave as recorded: a candidate's different prices would have changed who requested and where drivers went, which replay cannot know (that is what a switchback measures).",
          "Operators' emergency caps are not replayed; a candidate's cap is its own (nothing is charged).",
          "Ticks fall every updateIntervalMs of the events' time while anything moves; live zones also recompute sooner after a batch of events.",
        ],
      },
      200,
    );
  },
);
