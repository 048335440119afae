import { parseArgs } from "node:util";
import { calendarFeatures } from "../shared/forecast/calendar";
import { panelFromRows } from "../shared/forecast/panel";
import { AHEAD_INTERVALS, BACKTEST_HORIZONS_MINUTES, train } from "../shared/forecast/train";
import { demoHistory, isDemoMarket, VENUES } from "./forecast-market";

/**
 * `npm run forecast:backtest -- --market nyc-manhattan --weeks 8 [--seed 7] [--held-out 2] [--json]`
 *
 * The backtest report: a demo market's seeded synthetic history (ending on a fixed Monday, so
 * a seed gives the same report everywhere; `--now` ends it at the current interval instead),
 * every model fitted on all but the final `--held-out` weeks and judged on those in a
 * rolling-origin backtest — WAPE at 15, 30 and 60 minutes for each model against seasonal
 * naive — and which model the gate promotes. The same code as `POST .../forecasts/train`.
 */
const { values } = parseArgs({
  options: {
    market: { type: "string", default: "nyc-manhattan" },
    weeks: { type: "string", default: "8" },
    seed: { type: "string", default: "7" },
    "held-out": { type: "string" },
    now: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const name = values.market as string;
if (!isDemoMarket(name)) {
  console.error(`--market: one of ${Object.keys(VENUES).join(", ")}`);
  process.exit(2);
}
const weeks = Number(values.weeks);
const interval = 15 * 60_000;
/** Monday 2026-11-30, 05:00 UTC (midnight in New York). */
const FIXED_END = Date.UTC(2026, 10, 30, 5);
const end = values.now ? Math.floor(Date.now() / interval) * interval : FIXED_END;
const history = demoHistory(name, { weeks, seed: Number(values.seed), end });
const panel = panelFromRows(history.rows, history.cells, history.start, end, 15, history.searchWeight);
const calendar = calendarFeatures(history.calendar, history.cells, history.start, panel.steps + AHEAD_INTERVALS, 15);
const started = performance.now();
const outcome = train(panel, {
  calendar,
  heldOutWeeks: values["held-out"] ? Number(values["held-out"]) : undefined,
  clock: () => performance.now(),
});
const seconds = (performance.now() - started) / 1000;

if (values.json) {
  const { forecast: _forecast, ...report } = outcome;
  console.log(JSON.stringify({ market: name, cells: history.cells.length, weeks, seconds, ...report }, null, 2));
} else {
  const horizons = BACKTEST_HORIZONS_MINUTES.map(String);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`.padStart(8);
  console.log(
    `${name}: ${history.cells.length} cells, ${weeks} weeks of 15-minute intervals (${new Date(outcome.dataFrom).toISOString().slice(0, 10)} → ${new Date(outcome.dataTo).toISOString().slice(0, 10)}), ${history.calendar.length} calendar entries`,
  );
  console.log(
    `held out: the final ${outcome.heldOutWeeks} weeks, from ${new Date(outcome.heldOutFrom).toISOString()}; rolling origin at every interval\n`,
  );
  console.log(
    `WAPE by horizon            ${horizons.map((h) => `${h} min`.padStart(8)).join("")}   beats seasonal naive   units`,
  );
  for (const m of outcome.models) {
    const cols = horizons.map((h) => pct(m.horizons[h]?.wape ?? Number.NaN)).join("");
    const verdict = m.kind.startsWith("seasonal-naive") ? "(baseline)" : m.beatsSeasonalNaive ? "yes, every horizon" : "no";
    console.log(
      `${(m.kind + (m.kind === outcome.live ? " *" : "")).padEnd(26)}${cols}   ${verdict.padEnd(21)}${String(m.units).padStart(5)}`,
    );
  }
  console.log(
    `${"seasonal naive (better)".padEnd(26)}${horizons.map((h) => pct(outcome.seasonalNaive[h] ?? Number.NaN)).join("")}`,
  );
  const live = outcome.models.find((m) => m.kind === outcome.live);
  console.log(
    `\n* live: ${outcome.live} — ${outcome.promoted ? "promoted: beats seasonal naive at every horizon" : "nothing beat seasonal naive at every horizon; seasonal naive serves"}`,
  );
  if (live && outcome.promoted)
    console.log(
      `  improvement on seasonal naive: ${horizons.map((h) => `${h} min ${(100 * (1 - (live.horizons[h]?.wape ?? 0) / (outcome.seasonalNaive[h] ?? 1))).toFixed(1)} %`).join(", ")}`,
    );
  console.log(
    `  training and backtest took ${seconds.toFixed(2)} s (${Object.entries(outcome.timings)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
      .join(", ")})`,
  );
}
