import { postBatch } from "./ingest";
import { CellToggle, closeAll, LIVE_SURGE, type SurgeMessage, subscribe } from "./live";
import { putBenchMarket, startBenchPlatform, zonesOf } from "./platform";
import { log } from "./report";
import { p50p99, random, sleep } from "./stats";

/**
 * Fan-out: N WebSocket subscribers (Bun's client) of one cell, all served by that cell's zone
 * object. Each round POSTs one batch that changes the cell (see `CellToggle`) and times from
 * just before the POST to the moment the last subscriber has the change.
 */

export interface FanoutResult {
  subscribers: number;
  rounds: number;
  /** Time until the last subscriber had the change, per round. */
  lastMs: { p50: number; p99: number; max: number };
  /** Time until half the subscribers had it, per round. */
  medianMs: { p50: number; p99: number };
  /** Time until the first subscriber had it (mostly the wait for the zone's next tick), per round. */
  firstMs: { p50: number; p99: number };
  /** From the first subscriber to the last, per round: the cost of the fan-out itself. */
  spreadMs: { p50: number; p99: number };
  /** Deliveries that never came (summed over rounds). */
  missed: number;
  connectSeconds: number;
}

const ROUND_TIMEOUT_MS = 10_000;
const CONNECT_BATCH = 250;

interface Round {
  expect: number;
  sentAt: number;
  got: Uint8Array;
  arrivals: number[];
  finish: () => void;
}

export async function measureFanout(options: { subscribers: number; rounds: number }): Promise<FanoutResult> {
  const bench = await startBenchPlatform("fan-out");
  const sockets: WebSocket[] = [];
  try {
    const api = bench.api;
    const [zone] = zonesOf(await putBenchMarket(bench.platform, LIVE_SURGE));
    const cell = zone?.[0];
    if (!cell) throw new Error("the market has no cells");
    const toggle = new CellToggle(cell);
    await toggle.prepare(api);

    let round: Round | undefined;
    const listener = (i: number) => (m: SurgeMessage, at: number) => {
      if (!round || m.cell !== cell.cell || m.multiplier !== round.expect || round.got[i]) return;
      round.got[i] = 1;
      round.arrivals.push(at - round.sentAt);
      if (round.arrivals.length === options.subscribers) round.finish();
    };
    const connectStart = performance.now();
    while (sockets.length < options.subscribers) {
      const n = Math.min(CONNECT_BATCH, options.subscribers - sockets.length);
      const first = sockets.length;
      sockets.push(...(await Promise.all(Array.from({ length: n }, (_, k) => subscribe(api, [cell.cell], listener(first + k))))));
    }
    const connectSeconds = (performance.now() - connectStart) / 1000;
    log(`fan-out: ${sockets.length} subscribers of ${cell.cell} connected in ${connectSeconds.toFixed(1)} s`);
    await sleep(500);

    const rnd = random(11);
    const lasts: number[] = [];
    const medians: number[] = [];
    const firsts: number[] = [];
    let missed = 0;
    for (let r = 0; r < options.rounds; r++) {
      const step = toggle.next();
      let finish = () => {};
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const current: Round = { expect: step.expect, sentAt: 0, got: new Uint8Array(options.subscribers), arrivals: [], finish };
      const timer = setTimeout(finish, ROUND_TIMEOUT_MS);
      round = current;
      current.sentAt = performance.now();
      await Promise.all([done, postBatch(api, step.kind, step.body)]);
      clearTimeout(timer);
      round = undefined;
      toggle.done(step);
      missed += options.subscribers - current.arrivals.length;
      if (current.arrivals.length > 0) {
        current.arrivals.sort((a, b) => a - b);
        lasts.push(current.arrivals[current.arrivals.length - 1] as number);
        medians.push(current.arrivals[Math.floor(current.arrivals.length / 2)] as number);
        firsts.push(current.arrivals[0] as number);
      }
      await sleep(150 + rnd() * 100);
    }

    const last = p50p99(lasts);
    log(`fan-out: last subscriber p50 ${last.p50.toFixed(1)} ms, p99 ${last.p99.toFixed(1)} ms, ${missed} missed`);
    return {
      subscribers: sockets.length,
      rounds: lasts.length,
      lastMs: { ...last, max: Math.max(...lasts) },
      medianMs: p50p99(medians),
      firstMs: p50p99(firsts),
      spreadMs: p50p99(lasts.map((last, i) => last - (firsts[i] ?? 0))),
      missed,
      connectSeconds,
    };
  } finally {
    await closeAll(sockets);
    await bench.dispose();
  }
}
