import { type HttpOptions, measureHttp, type ThroughputResult } from "./baseline";
import type { LoadGenerator } from "./load";
import { type BenchPlatform, type Cell, expectOk, putBenchMarket, startBenchPlatform } from "./platform";
import { log } from "./report";
import { random } from "./stats";

/**
 * Quotes: `POST /v1/quotes` under the same load as the baseline, pickups spread over every cell
 * (and so every zone object) of the market, dropoffs at other cells.
 */

/** Quote requests with pickups cycling through the market's cells. */
export function quoteBodies(cells: readonly Cell[], count = 128): string[] {
  const rnd = random(42);
  return Array.from({ length: count }, (_, i) => {
    const pickup = cells[i % cells.length] as Cell;
    const dropoff = cells[Math.floor(rnd() * cells.length)] as Cell;
    return JSON.stringify({
      pickup: { lat: pickup.lat, lng: pickup.lng },
      dropoff: { lat: dropoff.lat, lng: dropoff.lng },
      product: "standard",
    });
  });
}

export async function measureQuotes(
  generator: LoadGenerator,
  bodies: readonly string[],
  options: HttpOptions,
): Promise<{ result: ThroughputResult; headers: Record<string, string> }> {
  const bench = await startBenchPlatform("quotes");
  try {
    const cells = await putBenchMarket(bench.platform);
    await warmZones(bench, bodies, cells.length);
    const spec = { url: `${bench.api.url}/v1/quotes`, headers: bench.api.headers, bodies };
    log(`quotes: ${cells.length} pickup cells, warm-up ${options.warmupSeconds}s`);
    const result = await measureHttp(bench.pid, generator, spec, options);
    log(`quotes: ${Math.round(result.load.rps)} req/s`);
    return { result, headers: bench.api.headers };
  } finally {
    await bench.dispose();
  }
}

/** Every zone answers once before the clock starts (first calls configure the zone objects). */
export async function warmZones(bench: BenchPlatform, bodies: readonly string[], cells: number): Promise<void> {
  for (const body of bodies.slice(0, cells)) {
    const res = await bench.partner.fetch("/v1/quotes", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await expectOk(res, "POST /v1/quotes");
    await res.arrayBuffer();
  }
}

/** Half of the quotes' measured maximum throughput: the rate their latency is compared at. */
export function halfLoad(quotes: ThroughputResult): number {
  return Math.max(1, Math.round(quotes.load.rps / 2));
}
