import { postBatch } from "./ingest";
import { CellToggle, closeAll, LIVE_SURGE, type StepKind, type SurgeMessage, subscribe } from "./live";
import { type Cell, putBenchMarket, startBenchPlatform, zonesOf } from "./platform";
import { log } from "./report";
import { p50p99, random, sleep } from "./stats";

/**
 * Event → subscriber latency: one subscriber per cell; each sample POSTs one batch that changes
 * one cell (see `CellToggle`) and times from just before the POST is sent to the arrival of the
 * first change of that cell on its WebSocket (zones publish a change within 25 ms of the event
 * that made it, not at their next regular tick). With the toggle's settings that first change is
 * the whole step; one that is not (a partial step) is counted in `partial`, and the sample still
 * ends at it. Samples run one at a time, a random 20–100 ms apart so they do not lock onto the
 * zones' tick phase, and rotate over cells of every zone.
 */

export interface LatencyResult {
  samples: number;
  cells: number;
  p50: number;
  p99: number;
  max: number;
  missed: number;
  /** Samples whose first change was not yet the step's whole change. */
  partial: number;
  byKind: Record<StepKind, { samples: number; p50: number; p99: number }>;
}

const TIMEOUT_MS = 5_000;

/** Cells taken from each zone in turn, so consecutive samples hit different zone objects. */
function interleave(zones: Cell[][], count: number): Cell[] {
  const out: Cell[] = [];
  for (let i = 0; out.length < count && zones.some((z) => i < z.length); i++) {
    for (const zone of zones) {
      const cell = zone[i];
      if (cell && out.length < count) out.push(cell);
    }
  }
  return out;
}

export async function measureLatency(options: { samples: number }): Promise<LatencyResult> {
  const bench = await startBenchPlatform("latency");
  const sockets: WebSocket[] = [];
  try {
    const api = bench.api;
    const all = await putBenchMarket(bench.platform, LIVE_SURGE);
    const cells = interleave(zonesOf(all), Math.min(all.length, Math.ceil(options.samples / 2)));
    const waiting = new Map<string, { expect: number; first?: number; resolve: (at: number | undefined) => void }>();
    let partial = 0;
    const onSurge = (m: SurgeMessage, at: number) => {
      const w = waiting.get(m.cell);
      if (!w) return;
      w.first ??= at;
      if (m.multiplier !== w.expect) return;
      // The sample ends at the first change; waiting on for the whole step keeps the toggle in step.
      if (w.first !== at) partial += 1;
      waiting.delete(m.cell);
      w.resolve(w.first);
    };
    for (const c of cells) sockets.push(await subscribe(api, [c.cell], onSurge));
    const toggles = cells.map((c) => new CellToggle(c));
    for (const t of toggles) await t.prepare(api);
    await sleep(500);
    log(`latency: ${cells.length} cells with a subscriber each, ${options.samples} samples`);

    const rnd = random(3);
    const latencies: Record<StepKind, number[]> = { demand: [], supply: [] };
    let missed = 0;
    for (let i = 0; i < options.samples; i++) {
      const toggle = toggles[i % toggles.length] as CellToggle;
      const step = toggle.next();
      const arrived = new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(toggle.cell.cell);
          resolve(undefined);
        }, TIMEOUT_MS);
        waiting.set(toggle.cell.cell, {
          expect: step.expect,
          resolve: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        });
      });
      const sentAt = performance.now();
      const [at] = await Promise.all([arrived, postBatch(api, step.kind, step.body)]);
      toggle.done(step);
      if (at === undefined) missed += 1;
      else latencies[step.kind].push(at - sentAt);
      await sleep(20 + rnd() * 80);
    }

    const every = [...latencies.demand, ...latencies.supply];
    const { p50, p99 } = p50p99(every);
    log(`latency: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${missed} missed`);
    return {
      samples: every.length,
      cells: cells.length,
      p50,
      p99,
      max: Math.max(...every),
      missed,
      partial,
      byKind: {
        demand: { samples: latencies.demand.length, ...p50p99(latencies.demand) },
        supply: { samples: latencies.supply.length, ...p50p99(latencies.supply) },
      },
    };
  } finally {
    await closeAll(sockets);
    await bench.dispose();
  }
}
