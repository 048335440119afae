import { platformAssets, startTrivial, type Trivial } from "./baseline";
import { type FixedRateResult, fixedRate } from "./fixed-rate";
import type { LoadGenerator } from "./load";
import { putBenchMarket, startBenchPlatform } from "./platform";
import { warmZones } from "./quotes";
import { log } from "./report";
import { percentile } from "./stats";

/**
 * Quote latency at a constant rate, side by side with the trivial Worker's at the same rate: the
 * platform and the trivial Workers (behind the platform's [assets] routing, and plain) run at
 * once, and the open-model generator (`fixed-rate.ts`) drives them in turns, a short slice each,
 * the order rotating, until each has had its whole time. Whatever else loads the machine (it is
 * shared) then falls on all of them alike, and each figure pools its slices' latencies.
 */

export interface LatencyAtRate {
  rate: number;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  statusErrors: number;
  socketErrors: number;
  unfinished: number;
  firstError?: string;
  /** The generator's own lateness in sending (its jitter), p99 over the slices. */
  sendLagP99Ms: number;
}

export interface QuoteLatencyResult {
  rate: number;
  slices: number;
  sliceSeconds: number;
  quotes: LatencyAtRate;
  /** The trivial Worker behind the same routing as the platform (plain when it has no [assets]). */
  trivial: LatencyAtRate;
  plain?: LatencyAtRate;
  /**
   * The platform's lightest route (`GET /health/live`: its middleware, no zone, no signature) in
   * the same workerd at the same rate: what the quotes' tail shares with everything the platform
   * runs on that thread (its other Workers, its objects' alarms, collections of its isolate).
   */
  liveness: LatencyAtRate;
  /** Quotes' p99 ÷ the trivial Worker's (same routing). */
  p99Ratio: number;
}

export interface QuoteLatencyOptions {
  rate: number;
  /** Total time per target, in slices of `seconds / slices`. */
  seconds: number;
  slices: number;
  connections: number;
  warmupSeconds: number;
}

function pool(rate: number, runs: readonly FixedRateResult[]): LatencyAtRate {
  const all = runs.flatMap((r) => r.samplesMs ?? []).sort((a, b) => a - b);
  const firstError = runs.find((r) => r.firstError)?.firstError;
  return {
    rate,
    requests: all.length,
    p50: percentile(all, 50),
    p90: percentile(all, 90),
    p99: percentile(all, 99),
    p999: percentile(all, 99.9),
    max: all[all.length - 1] ?? Number.NaN,
    statusErrors: runs.reduce((n, r) => n + r.statusErrors, 0),
    socketErrors: runs.reduce((n, r) => n + r.socketErrors, 0),
    unfinished: runs.reduce((n, r) => n + r.unfinished, 0),
    ...(firstError ? { firstError } : {}),
    sendLagP99Ms: Math.max(...runs.map((r) => r.sendLagP99Ms)),
  };
}

export async function measureQuoteLatency(
  generator: LoadGenerator,
  bodies: readonly string[],
  options: QuoteLatencyOptions,
): Promise<QuoteLatencyResult> {
  const bench = await startBenchPlatform("quote latency");
  const trivials: Trivial[] = [];
  try {
    const cells = await putBenchMarket(bench.platform);
    await warmZones(bench, bodies, cells.length);
    if (platformAssets() !== undefined) trivials.push(await startTrivial("assets"));
    trivials.push(await startTrivial("plain"));
    const headers = bench.api.headers;
    const targets: Array<{ name: string; url: string; method?: "GET" }> = [
      { name: "quotes", url: `${bench.api.url}/v1/quotes` },
      { name: "liveness", url: `${bench.api.url}/health/live`, method: "GET" },
      ...trivials.map((t) => ({ name: t.variant, url: t.url })),
    ];
    // Warm every target the same way (JIT, connections) before the clock starts; the liveness
    // route shares the quotes' isolate, warmed with them.
    for (const t of targets)
      if (!t.method)
        await generator.run({ url: t.url, headers, bodies, connections: options.connections, seconds: options.warmupSeconds });
    const sliceSeconds = options.seconds / options.slices;
    log(
      `quote latency: ${targets.map((t) => t.name).join(", ")} at ${options.rate} req/s, ${options.slices} slices of ${sliceSeconds} s each`,
    );
    const runs = new Map<string, FixedRateResult[]>(targets.map((t) => [t.name, []]));
    for (let slice = 0; slice < options.slices; slice++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(slice + k) % targets.length] as (typeof targets)[number];
        const r = await fixedRate({
          url: t.url,
          ...(t.method ? { method: t.method } : {}),
          headers,
          bodies,
          rate: options.rate,
          seconds: sliceSeconds,
          connections: options.connections,
          samples: true,
        });
        runs.get(t.name)?.push(r);
      }
    }
    const quotes = pool(options.rate, runs.get("quotes") ?? []);
    const trivial = pool(options.rate, runs.get(trivials[0]?.variant ?? "plain") ?? []);
    const plain = trivials.length > 1 ? pool(options.rate, runs.get("plain") ?? []) : undefined;
    const result: QuoteLatencyResult = {
      rate: options.rate,
      slices: options.slices,
      sliceSeconds,
      quotes,
      trivial,
      ...(plain ? { plain } : {}),
      liveness: pool(options.rate, runs.get("liveness") ?? []),
      p99Ratio: quotes.p99 / trivial.p99,
    };
    log(
      `quote latency at ${options.rate} req/s: quotes p50 ${quotes.p50.toFixed(1)} / p99 ${quotes.p99.toFixed(1)} ms, trivial (${trivials[0]?.variant}) p50 ${trivial.p50.toFixed(1)} / p99 ${trivial.p99.toFixed(1)} ms${plain ? `, plain p99 ${plain.p99.toFixed(1)} ms` : ""}, the platform's GET /health/live p99 ${result.liveness.p99.toFixed(1)} ms`,
    );
    return result;
  } finally {
    for (const t of trivials) await t.dispose();
    await bench.dispose();
  }
}
