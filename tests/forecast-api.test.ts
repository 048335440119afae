import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToLatLng } from "h3-js";
import {
  demandEvents,
  demoMarket,
  eventually,
  GARDEN,
  importHistory,
  matchAtTheGarden,
  putMarket,
  supplyEvents,
} from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { syntheticHistory } from "../shared/forecast/synthetic";
import { geofenceCells } from "../shared/pricing/zoning";

/**
 * A market's forecasts end to end: eight weeks of synthetic Manhattan imported through the API
 * (CSV) with its calendar, a training that backtests every model on the final two weeks and
 * promotes one only because it beats seasonal naive at 15, 30 and 60 minutes; then the registry,
 * the forecasts, driver hotspots before a let-out at the Garden, and predictive surge pricing
 * from the forecasts the training pushed to the zones.
 */

const MARKET = "nyc";
const INTERVAL = 15 * 60_000;
const WEEK = 7 * 86_400_000;
const now = Date.now();
const end = Math.floor(now / INTERVAL) * INTERVAL;
const start = end - 8 * WEEK;
const market = demoMarket("nyc-manhattan");
const cells = geofenceCells(market.geofence as Parameters<typeof geofenceCells>[0], 8);
const history = syntheticHistory({ cells, start, weeks: 8, seed: 11, utcOffsetMinutes: -300, venue: GARDEN });
/** A match at the Garden that ends in 20 minutes: its let-out is in the next hour. */
const tonight = matchAtTheGarden(end);

let p: Platform;
const operator = () => p.as("operator", { markets: [MARKET] });

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, MARKET, { ...market, surge: { predictive: { mode: "on", horizonMinutes: 30, weight: 0.6 } } });
  await importHistory(operator(), MARKET, history);
  expect((await operator().json(`/v1/markets/${MARKET}/calendar/knicks-tonight`, tonight, "PUT")).status).toBe(201);
}, 120_000);
afterAll(async () => {
  await p.dispose();
});

interface Horizons {
  horizons: Record<string, { wape: number; seasonalNaiveWape: number }>;
}
interface Training {
  modelId: string;
  kind: string;
  promoted: boolean;
  backtest: Horizons;
  models: Array<{ kind: string; live: boolean; beatsSeasonalNaive: boolean; backtest: Horizons }>;
  zones: number;
}

let training: Training;

describe("forecasts through the API", () => {
  test("training promotes a model only because it beats seasonal naive at every horizon", async () => {
    const res = await operator().json<Training>(`/v1/markets/${MARKET}/forecasts/train`, {});
    expect(res.status).toBe(200);
    training = res.body;
    expect(training.promoted).toBe(true);
    expect(["holt-winters", "regression"]).toContain(training.kind);
    for (const h of ["15", "30", "60"]) {
      const score = training.backtest.horizons[h];
      expect(score?.wape).toBeLessThan(score?.seasonalNaiveWape as number);
    }
    expect(training.models.map((m) => m.kind).sort()).toEqual([
      "holt-winters",
      "regression",
      "seasonal-naive-1w",
      "seasonal-naive-4w",
    ]);
    expect(training.models.filter((m) => m.live).map((m) => m.kind)).toEqual([training.kind]);
    expect(training.zones).toBeGreaterThan(0);
  }, 60_000);

  test("the registry lists every version with its backtest; one is live", async () => {
    const again = await operator().json<Training>(`/v1/markets/${MARKET}/forecasts/train`, {});
    expect(again.status).toBe(200);
    const res = await operator().fetch(`/v1/markets/${MARKET}/models`);
    const body = (await res.json()) as { live: string; models: Array<{ modelId: string; version: number; live: boolean }> };
    expect(body.models.length).toBe(8);
    expect(new Set(body.models.map((m) => m.version))).toEqual(new Set([1, 2]));
    expect(body.models.filter((m) => m.live).map((m) => m.modelId)).toEqual([again.body.modelId]);
    expect(body.live).toBe(again.body.modelId);
    expect(again.body.modelId).toContain(".v2.");
  }, 60_000);

  test("forecasts per cell and for the market, an hour ahead in 15-minute points with a band", async () => {
    const [a, b] = cells as [string, string];
    const res = await p.as("service", { markets: [MARKET] }).fetch(`/v1/markets/${MARKET}/forecast?cells=${a},${b}&horizon=60`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      modelId: string;
      series: Array<{ cell: string; points: Array<{ at: string; demand: number; low: number; high: number }> }>;
    };
    expect(body.modelId).toBe(await liveModel());
    expect(body.series.map((s) => s.cell).sort()).toEqual([a, b].sort());
    for (const s of body.series) {
      expect(s.points.length).toBeGreaterThanOrEqual(4);
      expect(s.points.length).toBeLessThanOrEqual(5);
      for (const pt of s.points) {
        expect(pt.low).toBeLessThanOrEqual(pt.demand);
        expect(pt.high).toBeGreaterThanOrEqual(pt.demand);
      }
    }
    const whole = (await (await operator().fetch(`/v1/markets/${MARKET}/forecast?level=market&horizon=60`)).json()) as {
      series: Array<{ cell: string; points: Array<{ demand: number }> }>;
    };
    expect(whole.series.length).toBe(1);
    const total = whole.series[0]?.points[0]?.demand ?? 0;
    const perCell = (await (await operator().fetch(`/v1/markets/${MARKET}/forecast?horizon=15`)).json()) as {
      series: Array<{ points: Array<{ demand: number }> }>;
    };
    expect(total).toBeCloseTo(
      perCell.series.reduce((s, c) => s + (c.points[0]?.demand ?? 0), 0),
      0,
    );
    expect((await operator().fetch(`/v1/markets/${MARKET}/forecast?cells=8f2830828052d25`)).status).toBe(422);
  });

  test("hotspots for drivers: before the let-out, the Garden's cells are the most short of drivers", async () => {
    const driver = p.as("driver", { markets: [MARKET] });
    const res = await driver.fetch(`/v1/markets/${MARKET}/hotspots?horizon=60`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cells: Array<{ cell: string; shortage: number; lat: number; lng: number }> };
    expect(body.cells.length).toBeGreaterThan(0);
    for (let i = 1; i < body.cells.length; i++)
      expect(body.cells[i]?.shortage).toBeLessThanOrEqual(body.cells[i - 1]?.shortage as number);
    if ((await liveKind()) === "regression") {
      const top = body.cells[0] as { lat: number; lng: number };
      const [glat, glng] = [GARDEN.lat, GARDEN.lng];
      expect(Math.hypot(top.lat - glat, (top.lng - glng) * 0.76)).toBeLessThan(0.012); // within ~1.3 km
    }
    expect((await p.as("driver", { markets: ["elsewhere"] }).fetch(`/v1/markets/${MARKET}/hotspots`)).status).toBe(403);
    expect((await p.as("rider").fetch(`/v1/markets/${MARKET}/hotspots`)).status).toBe(403);
  });

  test("predictive surge: the zone prices the forecast in, explains it, and never passes the cap", async () => {
    const [cell, lat, lng] = venueCell();
    const at = { lat, lng };
    await p.as("service").json("/v1/events/supply", { events: supplyEvents(at, 3) });
    await p.as("service").json("/v1/events/demand", { events: demandEvents(at, 6) });
    const reading = await eventually(async () => {
      const r = (await (await p.as("rider").fetch(`/v1/surge?lat=${lat}&lng=${lng}`)).json()) as {
        cell: string;
        multiplier: number;
        explanation: {
          cap: number;
          forecast?: { mode: string; modelId: string; demandUsed: number; predictiveShown: number; reactiveShown: number };
        };
      };
      return r.explanation.forecast && r.multiplier > 1 ? r : undefined;
    }, 10_000);
    expect(reading.cell).toBe(cell);
    const f = reading.explanation.forecast as NonNullable<typeof reading.explanation.forecast>;
    expect(f.mode).toBe("on");
    expect(f.modelId).toBe(await liveModel());
    expect(f.predictiveShown).toBeGreaterThanOrEqual(f.reactiveShown);
    expect(reading.multiplier).toBe(f.predictiveShown);
    expect(reading.multiplier).toBeLessThanOrEqual(reading.explanation.cap);
  });
});

async function liveModel(): Promise<string> {
  return ((await (await operator().fetch(`/v1/markets/${MARKET}/models`)).json()) as { live: string }).live;
}
async function liveKind(): Promise<string> {
  return (await liveModel()).split(".").pop() as string;
}
/** The cell nearest the Garden. */
function venueCell(): [string, number, number] {
  let best: [string, number, number] = ["", 0, 0];
  let d = Number.POSITIVE_INFINITY;
  for (const c of cells) {
    const [lat, lng] = cellToLatLng(c);
    const e = Math.hypot(lat - GARDEN.lat, lng - GARDEN.lng);
    if (e < d) {
      d = e;
      best = [c, lat, lng];
    }
  }
  return best;
}
