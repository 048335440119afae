import type { ThroughputResult } from "./baseline";
import type { LoadGenerator } from "./load";
import { type Cell, expectOk, putBenchMarket, startBenchPlatform } from "./platform";
import { withCpu } from "./proc";
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
  options: { seconds: number; warmupSeconds: number; connections: number },
): Promise<{ result: ThroughputResult; headers: Record<string, string> }> {
  const bench = await startBenchPlatform("quotes");
  try {
    const cells = await putBenchMarket(bench.platform);
    // Every zone answers once before the clock starts (first calls configure the zone objects).
    for (const body of bodies.slice(0, cells.length)) {
      const res = await bench.partner.fetch("/v1/quotes", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await expectOk(res, "POST /v1/quotes");
      await res.arrayBuffer();
    }
    const spec = { url: `${bench.api.url}/v1/quotes`, headers: bench.api.headers, bodies, connections: options.connections };
    log(`quotes: ${cells.length} pickup cells, warm-up ${options.warmupSeconds}s`);
    await generator.run({ ...spec, seconds: options.warmupSeconds });
    const { result, cpu } = await withCpu(bench.pid, () => generator.run({ ...spec, seconds: options.seconds }));
    log(`quotes: ${Math.round(result.rps)} req/s`);
    return { result: { load: result, cpu }, headers: bench.api.headers };
  } finally {
    await bench.dispose();
  }
}
