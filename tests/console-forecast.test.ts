import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { latLngToCell } from "h3-js";
import type { Browser, Page } from "playwright-core";
import { demoMarket, eventually, GARDEN, matchAtTheGarden, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildConsole } from "../scripts/build-console";
import { calendarFeatures } from "../shared/forecast/calendar";
import { MAX_IMPORT_ROWS, toCsv, weightedDemand } from "../shared/forecast/history";
import { panelFromRows, periods } from "../shared/forecast/panel";
import { syntheticHistory } from "../shared/forecast/synthetic";
import { AHEAD_INTERVALS, RECENT_INTERVALS, train } from "../shared/forecast/train";
import type { Geofence } from "../shared/pricing/market";
import { geofenceCells } from "../shared/pricing/zoning";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * New York's operator looks ahead: eight weeks of synthetic Manhattan history imported and a
 * model trained, the map's forecast layer colours the cells by the demand expected over the next
 * 30 minutes, then by the drivers they will be short over the next hour, with a legend; the
 * busiest cell shows its forecast beside the demand that came over the last day and the hours
 * ahead, with the error over the day — in English and in Arabic, right to left. An operator of
 * another market reads none of it. Screenshots: console-forecast-demand.png,
 * console-forecast-shortage.png, console-forecast-chart.png, console-ar-forecast.png,
 * console-es-forecast.png, console-vi-forecast.png, console-phone-forecast-layer.png,
 * console-phone-forecast-chart.png.
 */

const NYC = "nyc-manhattan";
const INTERVAL = 15 * 60_000;
const WEEK = 7 * 86_400_000;
const nyc = demoMarket(NYC);
const geofence = nyc.geofence as Geofence;
const cells = geofenceCells(geofence, 8);
const end = Math.floor(Date.now() / INTERVAL) * INTERVAL;
const history = syntheticHistory({ cells, start: end - 8 * WEEK, weeks: 8, seed: 5, utcOffsetMinutes: -300, venue: GARDEN });
const SEARCH_WEIGHT = 0.3;
const garden = latLngToCell(GARDEN.lat, GARDEN.lng, 8);
/** The cell with the most demand over the last day: where a forecast has the most to say. */
const busiest = (() => {
  const demand = new Map<string, number>();
  for (const r of history.rows)
    if (r.at >= end - 86_400_000) demand.set(r.cell, (demand.get(r.cell) ?? 0) + weightedDemand(r.requests, r.searches, 0.3));
  return [...demand].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
})();
const cellPath = (cell: string) => `.cells path[data-cell="${cell}"]`;
/** A match at the Garden that ends in 20 minutes: its let-out falls in the next hour. */
const tonight = matchAtTheGarden(end);
/** Colours ease in over a fraction of a second: a screenshot waits until they have. */
const settled = (p: Page) =>
  eventually(async () =>
    (await p.locator("html").evaluate((html) => html.getAnimations({ subtree: true }).length)) === 0 ? true : undefined,
  );

interface Actuals {
  modelId: string | null;
  aheadFrom: string | null;
  backtestHorizonMinutes: number;
  wape: number | null;
  points: Array<{ at: string; actual: number | null; forecast: number | null; low: number | null; high: number | null }>;
}
interface Expectations {
  modelId: string | null;
  horizonMinutes: number;
  cells: Array<{ cell: string; expectedDemand: number; shortage: number }>;
}

let platform: Platform;
let browser: Browser;
let page: Page;
let problems: string[];
const operator = () => platform.as("operator", { markets: [NYC] });
const get = async <T>(path: string) => {
  const res = await operator().fetch(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

beforeAll(async () => {
  await buildConsole();
  platform = await startPlatform();
  await putMarket(platform, NYC, nyc);
  await putMarket(platform, "hcmc-central", demoMarket("hcmc-central"));
  for (let i = 0; i < history.rows.length; i += MAX_IMPORT_ROWS) {
    const res = await operator().fetch(`/v1/markets/${NYC}/history/import`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: toCsv(history.rows.slice(i, i + MAX_IMPORT_ROWS)),
    });
    expect(res.status).toBe(202);
  }
  for (const { id, from, to, ...rest } of history.calendar) {
    const entry = { ...rest, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    expect((await operator().json(`/v1/markets/${NYC}/calendar/${id}`, entry, "PUT")).status).toBe(201);
  }
  expect((await operator().json(`/v1/markets/${NYC}/calendar/knicks-tonight`, tonight, "PUT")).status).toBe(201);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  problems = pageProblems(page);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

describe("the backtest's last day is kept beside the forecast", () => {
  test("with seasonal naive live, each kept forecast is that slot of the week before (or the mean of four)", () => {
    const start = Date.UTC(2026, 8, 28, 4);
    const h = syntheticHistory({ cells: cells.slice(0, 12), start, weeks: 5, seed: 3 });
    const panel = panelFromRows(h.rows, cells.slice(0, 12), start, start + 5 * WEEK, 15, SEARCH_WEIGHT);
    const calendar = calendarFeatures([], cells.slice(0, 12), start, panel.steps + AHEAD_INTERVALS, 15);
    const outcome = train(panel, { calendar, candidates: [] });
    const { week } = periods(15);
    const first = panel.steps - RECENT_INTERVALS;
    expect(outcome.recent.from).toBe(start + first * INTERVAL);
    expect(outcome.forecast.from).toBe(start + panel.steps * INTERVAL);
    const lags = outcome.live === "seasonal-naive-1w" ? [1] : [1, 2, 3, 4];
    for (let k = 0; k < RECENT_INTERVALS; k++) {
      const t = first + k;
      let kept = 0;
      let expected = 0;
      panel.demand.forEach((series, c) => {
        kept += outcome.recent.demand[c]?.[k] as number;
        for (const lag of lags) expected += (series[t - lag * week] as number) / lags.length;
      });
      expect(kept).toBeCloseTo(expected, 2);
    }
  });
});

describe("a cell's forecast and actual demand through the API", () => {
  test("after a training: the last day's actual demand beside the backtest, then the forecast ahead", async () => {
    const trained = await operator().json<{ modelId: string }>(`/v1/markets/${NYC}/forecasts/train`, {});
    expect(trained.status).toBe(200);
    const body = await get<Actuals>(`/v1/markets/${NYC}/forecast/actuals?cell=${garden}&hours=24`);
    expect(body.modelId).toBe(trained.body.modelId);
    expect(body.backtestHorizonMinutes).toBe(30);
    // The training learnt from every interval up to the one under way (the clock may have moved on since the import).
    const learnt = Date.parse(body.aheadFrom ?? "");
    expect(learnt % INTERVAL).toBe(0);
    expect(learnt).toBeGreaterThanOrEqual(end);
    const past = body.points.filter((p) => p.actual !== null);
    expect(past.length).toBe(96);
    expect(body.points.filter((p) => Date.parse(p.at) >= learnt).length).toBe(AHEAD_INTERVALS);
    // Actual demand is the imported history, weighted as the zones count it.
    const imported = new Map(
      history.rows.filter((r) => r.cell === garden).map((r) => [r.at, weightedDemand(r.requests, r.searches, SEARCH_WEIGHT)]),
    );
    for (const p of past) expect(p.actual).toBeCloseTo(imported.get(Date.parse(p.at)) ?? 0, 2);
    expect(body.points.every((p) => p.forecast !== null && (p.low as number) <= (p.forecast as number))).toBe(true);
    // The forecast ahead is the one the forecast route serves.
    const served = await get<{ series: Array<{ points: Array<{ at: string; demand: number }> }> }>(
      `/v1/markets/${NYC}/forecast?cells=${garden}&horizon=240`,
    );
    const servedAt = new Map((served.series[0]?.points ?? []).map((p) => [p.at, p.demand]));
    expect(servedAt.size).toBeGreaterThan(0);
    for (const [at, demand] of servedAt) expect(body.points.find((p) => p.at === at)?.forecast).toBe(demand);
    // The day's error is the backtest's measure, over the intervals that have both; informative at the Garden.
    const error = past.reduce((s, p) => s + Math.abs((p.actual as number) - (p.forecast as number)), 0);
    const total = past.reduce((s, p) => s + (p.actual as number), 0);
    expect(body.wape).toBeCloseTo(error / total, 3);
    // Where demand is steady enough to forecast, the kept forecasts follow it (a day out of step would be off by far more).
    const steady = await get<Actuals>(`/v1/markets/${NYC}/forecast/actuals?cell=${busiest}&hours=24`);
    expect(steady.wape as number).toBeLessThan(0.5);
  }, 120_000);

  test("every cell's expectations agree with the hotspots drivers are sent to", async () => {
    const layer = await get<Expectations>(`/v1/markets/${NYC}/forecast/cells?horizon=30`);
    expect(layer.horizonMinutes).toBe(30);
    expect(layer.cells.length).toBeGreaterThan(cells.length / 2);
    expect(layer.cells.every((c) => cells.includes(c.cell) && c.expectedDemand >= 0)).toBe(true);
    const hot = await get<{ cells: Array<{ cell: string; shortage: number; expectedDemand: number }> }>(
      `/v1/markets/${NYC}/hotspots?horizon=30&limit=100`,
    );
    const short = layer.cells.filter((c) => c.shortage > 0);
    expect(new Set(hot.cells.map((c) => c.cell))).toEqual(new Set(short.map((c) => c.cell)));
    for (const h of hot.cells) {
      const c = layer.cells.find((x) => x.cell === h.cell);
      // Both read the clock when asked: a request straddling an interval's end may differ a little.
      expect(c?.shortage).toBeCloseTo(h.shortage, 0);
    }
  });

  test("only the market's operators; an unknown cell or a bad span is refused and changes nothing", async () => {
    const elsewhere = platform.as("operator", { markets: ["hcmc-central"] });
    for (const path of [`forecast/actuals?cell=${garden}`, "forecast/cells?horizon=30"]) {
      expect((await elsewhere.fetch(`/v1/markets/${NYC}/${path}`)).status).toBe(403);
      expect((await platform.as("rider", { markets: [NYC] }).fetch(`/v1/markets/${NYC}/${path}`)).status).toBe(403);
      expect((await platform.as("driver", { markets: [NYC] }).fetch(`/v1/markets/${NYC}/${path}`)).status).toBe(403);
      expect((await fetch(`${platform.url}/v1/markets/${NYC}/${path}`)).status).toBe(401);
    }
    const saigon = latLngToCell(10.7725, 106.698, 8);
    for (const [query, status] of [
      [`cell=${saigon}`, 422],
      ["cell=not-a-cell", 422],
      [`cell=${garden}&hours=0`, 422],
      [`cell=${garden}&hours=500`, 422],
      ["hours=24", 422],
    ] as const) {
      const res = await operator().fetch(`/v1/markets/${NYC}/forecast/actuals?${query}`);
      expect([query, res.status]).toEqual([query, status]);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    // A market no model was trained for has nothing to show yet, and says so.
    const saigonOperator = platform.as("operator", { markets: ["hcmc-central"] });
    const untrained = (await (await saigonOperator.fetch("/v1/markets/hcmc-central/forecast/cells")).json()) as Expectations;
    expect([untrained.modelId, untrained.cells]).toEqual([null, []]);
    const none = (await (
      await saigonOperator.fetch(`/v1/markets/hcmc-central/forecast/actuals?cell=${saigon}&hours=2`)
    ).json()) as Actuals;
    expect([none.modelId, none.wape, none.points.length, none.points.some((p) => p.forecast !== null)]).toEqual([
      null,
      null,
      8,
      false,
    ]);
    const res = await operator().fetch(`/v1/markets/${NYC}/forecast/cells?horizon=45`);
    expect(res.status).toBe(200);
    expect((await operator().fetch(`/v1/markets/${NYC}/forecast/cells?horizon=90`)).status).toBe(422);
    expect((await operator().fetch(`/v1/markets/nowhere/forecast/cells`)).status).toBe(403);
  });
});

describe("the console's forecast layer and chart", () => {
  test("the layer colours the map by expected demand, then by drivers short, with a legend", async () => {
    const token = await platform.token({ subject: "ny-operator", roles: ["operator"], markets: [NYC] });
    await page.goto(`${platform.url}/console/?token=${token}#/${NYC}`);
    await page.locator(cellPath(garden)).waitFor();
    const map = page.locator("figure.map");
    expect(await map.getAttribute("data-layer")).toBe("multiplier");
    const calm = await page.locator(cellPath(garden)).getAttribute("fill");

    await page.getByLabel("Expected demand").check();
    const legend = page.getByTestId("forecast-legend");
    await legend.waitFor();
    expect(await legend.locator("strong").textContent()).toBe("Demand expected in the next 30 min");
    const layer = await get<Expectations>(`/v1/markets/${NYC}/forecast/cells?horizon=30`);
    const busy = layer.cells.filter((c) => c.expectedDemand > 0).map((c) => c.cell);
    await eventually(async () => ((await map.locator("path[data-forecast]").count()) > 0 ? true : undefined));
    const shown = await map
      .locator(".cells path")
      .evaluateAll((paths) =>
        paths.map((p) => [p.getAttribute("data-cell"), Number(p.getAttribute("data-forecast")), p.getAttribute("fill")] as const),
      );
    // Every cell the model expects demand in is coloured off the calm grey, darker where more is expected.
    const coloured = shown.filter(([, value]) => value > 0);
    expect(new Set(coloured.map(([cell]) => cell))).toEqual(new Set(busy.filter((c) => shown.some(([s]) => s === c))));
    expect(coloured.every(([, , fill]) => fill !== calm)).toBe(true);
    const [top] = [...coloured].sort((a, b) => b[1] - a[1]);
    const [bottom] = [...coloured].sort((a, b) => a[1] - b[1]);
    expect(lightness(top?.[2] ?? "")).toBeLessThan(lightness(bottom?.[2] ?? ""));
    await settled(page);
    await screenshot(page, "forecast-demand");

    await page.getByLabel("Drivers short").check();
    await page.getByLabel("60 min").check();
    await eventually(async () =>
      (await legend.locator("strong").textContent()) === "Drivers short in the next 60 min" ? true : undefined,
    );
    const hot = await get<{ cells: Array<{ cell: string }> }>(`/v1/markets/${NYC}/hotspots?horizon=60&limit=100`);
    await eventually(async () => {
      const short = await map
        .locator(".cells path")
        .evaluateAll((paths) =>
          paths.filter((p) => Number(p.getAttribute("data-forecast")) > 0).map((p) => p.getAttribute("data-cell")),
        );
      const expected = hot.cells.map((c) => c.cell);
      return short.length === expected.length && expected.every((c) => short.includes(c)) ? true : undefined;
    });
    // The let-out at the Garden leaves drivers short there.
    expect(hot.cells.map((c) => c.cell)).toContain(garden);
    await settled(page);
    await screenshot(page, "forecast-shortage");

    await page.getByLabel("Multiplier now").check();
    expect(await map.getAttribute("data-layer")).toBe("multiplier");
    expect(await page.locator(cellPath(garden)).getAttribute("fill")).toBe(calm);
    expect(problems).toEqual([]);
  });

  test("the busiest cell: forecast beside actual demand over the last day and the hours ahead", async () => {
    await page.locator(cellPath(busiest)).click();
    const section = page.getByTestId("cell-forecast");
    await section.locator(".forecast-chart canvas").first().waitFor();
    const chart = section.locator(".forecast-chart");
    expect(Number(await chart.getAttribute("data-actual"))).toBe(96);
    // The forecast runs over the whole day and on past now.
    expect(Number(await chart.getAttribute("data-forecast"))).toBeGreaterThan(96);
    expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(96);
    const body = await get<Actuals>(`/v1/markets/${NYC}/forecast/actuals?cell=${busiest}&hours=24`);
    const percent = Math.round((body.wape as number) * 100);
    expect(await section.getByTestId("forecast-wape").textContent()).toBe(
      `Off by ${percent}% of actual demand over the last 24 hours (WAPE)`,
    );
    // Both lines are drawn: the actual in dark ink, the forecast in orange.
    const inks = await chart.locator("canvas").evaluate((element) => {
      const canvas = element as unknown as {
        width: number;
        height: number;
        getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let dark = 0;
      let orange = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i] as number, data[i + 1] as number, data[i + 2] as number, data[i + 3] as number];
        if (a < 200) continue;
        if (r < 60 && g < 70 && b < 80) dark++;
        if (r > 190 && g > 80 && g < 130 && b < 70) orange++;
      }
      return { dark, orange };
    });
    expect(inks.dark).toBeGreaterThan(200);
    expect(inks.orange).toBeGreaterThan(200);
    await section.scrollIntoViewIfNeeded();
    await settled(page);
    await screenshot(page, "forecast-chart");
    expect(problems).toEqual([]);
  });

  test("in Arabic: the layer, its legend and the chart right to left", async () => {
    await page.getByTestId("language").selectOption("ar");
    await page.getByRole("tab", { name: "الخلية" }).waitFor();
    expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
    await page.getByLabel("الطلب المتوقع").check();
    const legend = page.getByTestId("forecast-legend");
    await legend.waitFor();
    expect(await legend.locator("strong").textContent()).toMatch(/^الطلب المتوقع خلال ٣٠ دقيقة القادمة$/);
    await page.locator(cellPath(busiest)).click();
    const section = page.getByTestId("cell-forecast");
    await section.locator(".forecast-chart canvas").first().waitFor();
    expect(await section.locator("h3").textContent()).toBe("الطلب المتوقع مقابل الفعلي");
    expect(await section.getByTestId("forecast-wape").textContent()).toMatch(/^انحراف بنسبة [٠-٩]+٪/);
    await section.scrollIntoViewIfNeeded();
    await settled(page);
    await screenshot(page, "ar-forecast");
    expect(problems).toEqual([]);
  });
});

describe("in Spanish and Vietnamese", () => {
  for (const [language, legendText, title] of [
    ["es", "Conductores que faltarán en los próximos 15 min", "Demanda prevista frente a la real"],
    ["vi", "Số tài xế thiếu trong 15 phút tới", "Nhu cầu dự báo so với thực tế"],
  ] as const)
    test(`${language}: the choosers, the legend and the chart's title`, async () => {
      await page.getByTestId("language").selectOption(language);
      await eventually(async () => ((await page.locator("html").getAttribute("lang"))?.startsWith(language) ? true : undefined));
      await page.locator('input[name="map-layer"][value="shortage"]').check();
      await page.locator('input[name="map-horizon"][value="15"]').check();
      const legend = page.getByTestId("forecast-legend").locator("strong");
      await eventually(async () => ((await legend.textContent()) === legendText ? true : undefined));
      await page.locator(cellPath(busiest)).click();
      const section = page.getByTestId("cell-forecast");
      await section.locator(".forecast-chart canvas").first().waitFor();
      expect(await section.locator("h3").textContent()).toBe(title);
      await settled(page);
      await screenshot(page, `${language}-forecast`);
      expect(problems).toEqual([]);
    });
});

describe("on a phone", () => {
  test("the choosers wrap above the map, and the chart fits the panel", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const seen = pageProblems(phone);
    const token = await platform.token({ subject: "ny-operator", roles: ["operator"], markets: [NYC] });
    await phone.goto(`${platform.url}/console/?token=${token}#/${NYC}`);
    await phone.locator(cellPath(busiest)).waitFor();
    await phone.getByLabel("Expected demand").check();
    await phone.getByTestId("forecast-legend").locator("strong").waitFor();
    const choosers = await phone.getByTestId("map-layers").boundingBox();
    expect((choosers?.x ?? 0) + (choosers?.width ?? 0)).toBeLessThanOrEqual(390);
    expect(await phone.locator("html").evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await settled(phone);
    await screenshot(phone, "phone-forecast-layer");
    await phone.locator(cellPath(busiest)).tap();
    const chart = phone.getByTestId("cell-forecast").locator(".forecast-chart");
    await chart.locator("canvas").first().waitFor();
    const box = await chart.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
    await chart.scrollIntoViewIfNeeded();
    await settled(phone);
    await screenshot(phone, "phone-forecast-chart");
    expect(seen).toEqual([]);
    await phone.close();
  });
});

/** A fill's lightness, 0–255 (for "darker where more is expected"). */
function lightness(fill: string): number {
  const [r = 0, g = 0, b = 0] = (fill.match(/\d+/g) ?? []).map(Number);
  return 0.3 * r + 0.59 * g + 0.11 * b;
}
