/**
 * Training benchmark: `bun bench/forecast.ts [--cells 2000] [--weeks 8] [--smoke] [--json]`.
 *
 * A market of 2,000 cells × 8 weeks × 15-minute intervals (10.75 M cell-intervals), synthetic
 * (seeded: weekly and daily seasons, trend, holidays, a stadium), trained exactly as the cron
 * trains a market: every model fitted, the rolling-origin backtest on the final two weeks at
 * 15/30/60 minutes, the gate, the live model's forecasts. Reported: the time of each step, and
 * memory — the panel's bytes and the live heap training adds on top of it (see below). Against the
 * cron's limits: a Worker isolate has 128 MB of memory and a cron invocation up to 5 minutes of
 * CPU (`limits.cpu_ms`; 15 minutes of wall time for hourly crons). Reading the history from
 * Postgres is not included (it is one query, a row per cell: see db/forecasts.ts demandSql).
 *
 * The memory judged against 128 MB is the panel plus the largest live heap training holds (the
 * collector run after each step, every fitted model still referenced); the process's peak RSS
 * is shown too, but it is Bun's (its JIT and a lazy collector), not what an isolate needs.
 *
 * Runs on its own (no platform, no database). `measureForecastTraining` is exported for a
 * benchmark runner to call: it returns the figures and prints nothing.
 */
import { readFileSync } from "node:fs";
import { gridDisk, latLngToCell } from "h3-js";
import { calendarFeatures } from "../shared/forecast/calendar";
import type { Panel } from "../shared/forecast/panel";
import { synthesize } from "../shared/forecast/synthetic";
import { AHEAD_INTERVALS, train } from "../shared/forecast/train";

export interface ForecastTrainingResult {
  cells: number;
  weeks: number;
  cellIntervals: number;
  generateSeconds: number;
  trainSeconds: number;
  stepSeconds: Record<string, number>;
  panelMB: number;
  /** JS heap held during training beyond the panel (the models' state, calendar features, forecasts). */
  trainingHeapMB: number;
  /** Panel + training heap: what an isolate must hold. */
  isolateMB: number;
  peakRssMB: number;
  live: string;
  promoted: boolean;
  wape: Record<string, { live: number; seasonalNaive: number }>;
  /** Against the cron's limits: 128 MB per isolate, 300 s of CPU. */
  withinLimits: boolean;
}

const MB = 1024 * 1024;
const GARDEN = { lat: 40.7505, lng: -73.9934, name: "Madison Square Garden" };

export function measureForecastTraining(options: { cells: number; weeks: number; seed?: number }): ForecastTrainingResult {
  const interval = 15;
  const cells = cityCells(options.cells);
  const start = Date.UTC(2026, 9, 5, 4);
  const steps = (options.weeks * 7 * 24 * 60) / interval;
  gc();
  const t0 = performance.now();
  const demand = cells.map(() => new Float32Array(steps));
  const made = synthesize(
    { cells, start, weeks: options.weeks, seed: options.seed ?? 3, utcOffsetMinutes: -240, venue: GARDEN },
    (ci, t, requests, searches) => {
      (demand[ci] as Float32Array)[t] = requests + 0.3 * searches;
    },
  );
  const panel: Panel = { start, intervalMinutes: interval, steps, cells, demand };
  const calendar = calendarFeatures(made.calendar, cells, start, steps + AHEAD_INTERVALS, interval);
  const generateSeconds = (performance.now() - t0) / 1000;
  gc();
  const heapPanel = heapUsed();
  const t1 = performance.now();
  const outcome = train(panel, { calendar, clock: () => performance.now() });
  const trainSeconds = (performance.now() - t1) / 1000;
  // Memory in a second run: after each step, the collector runs and the heap is read with every
  // fitted model still held — the live set an isolate must hold (garbage it can always collect).
  let heapPeak = heapPanel;
  train(panel, {
    calendar,
    onStep: () => {
      gc();
      heapPeak = Math.max(heapPeak, heapUsed());
    },
  });
  const live = outcome.models.find((m) => m.kind === outcome.live);
  const panelMB = (cells.length * steps * 4) / MB;
  const trainingHeapMB = Math.max(0, heapPeak - heapPanel) / MB;
  const isolateMB = panelMB + trainingHeapMB;
  return {
    cells: cells.length,
    weeks: options.weeks,
    cellIntervals: cells.length * steps,
    generateSeconds: round(generateSeconds),
    trainSeconds: round(trainSeconds),
    stepSeconds: Object.fromEntries(Object.entries(outcome.timings).map(([k, v]) => [k, round(v / 1000)])),
    panelMB: round(panelMB),
    trainingHeapMB: round(trainingHeapMB),
    isolateMB: round(isolateMB),
    peakRssMB: round(peakRss() / MB),
    live: outcome.live,
    promoted: outcome.promoted,
    wape: Object.fromEntries(
      Object.entries(outcome.seasonalNaive).map(([h, naive]) => [
        h,
        { live: live?.horizons[h]?.wape ?? Number.NaN, seasonalNaive: naive },
      ]),
    ),
    withinLimits: isolateMB < 128 && trainSeconds < 300,
  };
}

/** `n` resolution-8 cells around Manhattan (a disk of them, the first `n`). */
function cityCells(n: number): string[] {
  const centre = latLngToCell(40.758, -73.9855, 8);
  let k = 1;
  while (3 * k * (k + 1) + 1 < n) k++;
  return gridDisk(centre, k).slice(0, n).sort();
}

function gc(): void {
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
}
function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}
/** The process's peak resident set (Linux), else the current one. */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return process.memoryUsage().rss;
}
function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const smoke = args.includes("--smoke");
  const r = measureForecastTraining({ cells: option("cells", smoke ? 200 : 2000), weeks: option("weeks", 8) });
  if (args.includes("--json")) console.log(JSON.stringify(r));
  else {
    console.log(
      `Training a market: ${r.cells} cells × ${r.weeks} weeks × 15-minute intervals = ${(r.cellIntervals / 1e6).toFixed(2)} M cell-intervals`,
    );
    console.log(`  history generated in ${r.generateSeconds} s (not part of training)`);
    console.log(
      `  training (fit, rolling-origin backtest of 2 held-out weeks at 15/30/60 min, gate, forecasts): ${r.trainSeconds} s`,
    );
    for (const [k, v] of Object.entries(r.stepSeconds)) console.log(`    ${k.padEnd(20)} ${v} s`);
    console.log(
      `  memory: panel ${r.panelMB} MB + training heap ${r.trainingHeapMB} MB = ${r.isolateMB} MB in the isolate; process peak RSS ${r.peakRssMB} MB (Bun itself included)`,
    );
    console.log(
      `  live: ${r.live} (${r.promoted ? "promoted" : "seasonal naive serves"}); WAPE ${Object.entries(r.wape)
        .map(([h, w]) => `${h} min ${(100 * w.live).toFixed(1)} % vs ${(100 * w.seasonalNaive).toFixed(1)} %`)
        .join(", ")}`,
    );
    console.log(`  cron limits (128 MB per isolate, 300 s CPU): ${r.withinLimits ? "PASS" : "FAIL"}`);
    console.log(JSON.stringify(r));
  }
}
