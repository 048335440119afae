import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToLatLng, cellToParent } from "h3-js";
import type { Browser, Page } from "playwright-core";
import { openPool } from "../db/client";
import { writeHistory } from "../db/history";
import { neonEnv } from "../harness/bridges";
import { demoMarket, eventually, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildConsole } from "../scripts/build-console";
import type { HistoryMessage } from "../shared/contracts/history";
import { Region } from "../shared/pricing/geofence";
import type { Geofence } from "../shared/pricing/market";
import { geofenceCells } from "../shared/pricing/zoning";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * As New York's operator runs the market from the console: the KPI page reads its
 * last day hour by hour and its last week day by day on New York's clock (named), with charts
 * and a CSV whose times are New York's; when the whole city sits at the cap an alert says so;
 * the operator sees only New York, and Ho Chi Minh City's link says "no access" instead of
 * reconnecting for ever. Screenshots: console-kpis.png, console-alert.png, console-no-access.png.
 */

const NYC = "nyc-manhattan";
const HOUR = 3_600_000;
const nyc = demoMarket(NYC, { surge: { cap: 2, smoothing: 1, maxStepUp: 3, maxStepDown: 3, updateIntervalMs: 100 } });
const geofence = nyc.geofence as Geofence;
const region = new Region(geofence);
/** Every cell whose centre is in Manhattan: events aimed at the centre are the market's. */
const cells = geofenceCells(geofence, 8).filter((cell) => {
  const [lat, lng] = cellToLatLng(cell);
  return region.contains(lat, lng);
});

let platform: Platform;
let browser: Browser;
let page: Page;
let problems: string[];
/** The history written: 30 hours of minutes in four cells, a quote every ten minutes (every other verified). */
const now = Math.floor(Date.now() / 60_000) * 60_000;
const start = now - 30 * HOUR;
const quotes: Array<{ issuedAt: number; verified: boolean }> = [];

beforeAll(async () => {
  await buildConsole();
  platform = await startPlatform();
  await putMarket(platform, NYC, nyc);
  await putMarket(platform, "hcmc-central", demoMarket("hcmc-central"));
  const messages: HistoryMessage[] = [];
  for (const cell of cells.slice(0, 4)) {
    const minutes = [];
    for (let m = start; m < now; m += 60_000) {
      const hour = new Date(m).getUTCHours();
      const multiplier = 1 + ((hour * 7) % 10) / 10;
      minutes.push({ cell, minute: m, supply: 4 + (hour % 5), demand: 6 + (hour % 7), multiplier, peakMultiplier: multiplier });
    }
    messages.push({ type: "surge", market: NYC, zone: cellToParent(cell, 6), minutes });
  }
  for (let at = start, i = 0; at < now; at += 10 * 60_000, i++) {
    const cell = cells[0] as string;
    quotes.push({ issuedAt: at, verified: i % 2 === 0 });
    const quoteId = `kpi-${i}`;
    messages.push({
      type: "quote",
      quote: {
        quoteId,
        market: NYC,
        product: "standard",
        cell,
        zone: cellToParent(cell, 6),
        currency: "USD",
        multiplierTenths: 12,
        total: 2400,
        totalAtOne: 2000,
        issuedAt: at,
        expiresAt: at + 300_000,
      },
    });
    if (i % 2 === 0) messages.push({ type: "verified", quoteId, at: at + 60_000 });
  }
  const { pool, db } = openPool(await neonEnv(platform.database.url));
  try {
    await writeHistory(db, messages);
  } finally {
    await pool.end();
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(10_000);
  problems = pageProblems(page);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

const operatorOfNewYork = () => platform.token({ subject: "ny-operator", roles: ["operator"], markets: [NYC] });

describe("KPIs on the market's clock", () => {
  test("days are New York's days: each starts at its midnight, and together they hold every quote", async () => {
    const operator = platform.as("operator", { markets: [NYC] });
    const from = new Date(Math.ceil(start / HOUR) * HOUR).toISOString();
    const to = new Date(Math.ceil(now / HOUR) * HOUR).toISOString();
    const res = await operator.fetch(`/v1/markets/${NYC}/kpis?from=${from}&to=${to}&bucket=day&timezone=market`);
    const { rows } = (await res.json()) as { rows: Array<{ day: string; quotes: number }> };
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows.slice(1)) {
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: "America/New_York",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
      expect(local.format(Date.parse(row.day))).toBe("00:00");
    }
    const inRange = quotes.filter((q) => q.issuedAt >= Date.parse(from) && q.issuedAt < Date.parse(to)).length;
    expect(rows.reduce((s, r) => s + r.quotes, 0)).toBe(inRange);
    // UTC stays the default for the API's other clients.
    const utc = (await (await operator.fetch(`/v1/markets/${NYC}/kpis?from=${from}&to=${to}&bucket=day`)).json()) as {
      rows: Array<{ day: string }>;
    };
    expect(utc.rows[1]?.day).not.toBe(rows[1]?.day);
    const bad = await operator.fetch(`/v1/markets/${NYC}/kpis?from=${from}&to=${to}&bucket=day&timezone=Mars/Olympus`);
    expect(bad.status).toBe(422);
  });

  test("the KPI page: cards, three charts, a CSV on New York's clock", async () => {
    await page.goto(`${platform.url}/console/?token=${await operatorOfNewYork()}#/${NYC}`);
    await page.getByRole("tab", { name: "KPIs" }).click();
    const panel = page.getByTestId("kpis");
    await panel.locator(".kpi-card").first().waitFor();
    expect(await page.getByTestId("kpi-zone").textContent()).toMatch(/^Times in America\/New_York \((EST|EDT)\)$/);
    const cards = await panel.locator(".kpi-card dt").allTextContents();
    expect(cards).toEqual(["Average multiplier", "Drivers per active cell", "Quotes", "Revenue at surge"]);
    const quotesLastDay = quotes.filter((q) => q.issuedAt >= Math.ceil(now / HOUR) * HOUR - 24 * HOUR).length;
    expect(await panel.locator(".kpi-card").nth(2).locator("strong").textContent()).toBe(String(quotesLastDay));
    expect(await panel.locator(".kpi-card").nth(3).locator("small").textContent()).toMatch(/^\$[\d,.]+ at 1\.0×$/);
    await eventually(async () => ((await panel.locator(".kpi-chart canvas").count()) === 3 ? true : undefined));
    const href = (await page.getByTestId("kpi-csv").getAttribute("href")) ?? "";
    const csv = decodeURIComponent(href.replace(/^data:text\/csv;charset=utf-8,/, ""))
      .trim()
      .split("\r\n");
    expect(csv[0]).toBe(
      "hour (America/New_York),avgMultiplier,peakMultiplier,avgSupply,avgDemand,ratio,quotes,verified,conversion,revenueAtSurge,revenueAtOne",
    );
    // The newest hour as New York's clock reads it, values rounded.
    const last = csv[csv.length - 1]?.split(",") ?? [];
    // Swedish writes local time as ISO does: "2026-12-01 03:00:00".
    const newest = new Date(Math.floor((now - 1) / HOUR) * HOUR)
      .toLocaleString("sv-SE", { timeZone: "America/New_York" })
      .slice(0, 16);
    expect(last[0]).toBe(newest);
    expect(last.slice(1).every((v) => v === "" || /^-?\d+(\.\d{1,4})?$/.test(v))).toBe(true);
    await screenshot(page, "kpis");
    await page.locator(".kpi-head select").selectOption("7d");
    await eventually(async () => ((await panel.locator(".kpi-chart canvas").count()) === 3 ? true : undefined));
    expect(problems).toEqual([]);
  });
});

describe("alerts", () => {
  test("when every cell of Manhattan sits at the cap, the console says so above the map", async () => {
    const service = platform.as("service");
    const at = new Date().toISOString();
    const events = cells.flatMap((cell, c) => {
      const [lat, lng] = cellToLatLng(cell);
      return Array.from({ length: 12 }, (_, i) => ({ eventId: `rush-${c}-${i}`, lat, lng, kind: "request", at }));
    });
    for (let i = 0; i < events.length; i += 1000) await service.json("/v1/events/demand", { events: events.slice(i, i + 1000) });
    const operator = platform.as("operator", { markets: [NYC] });
    const alerts = await eventually(async () => {
      const body = (await (await operator.fetch(`/v1/markets/${NYC}/alerts`)).json()) as {
        cells: { total: number; atCap: number };
        alerts: Array<{ kind: string; severity: string; text: string }>;
      };
      return body.cells.atCap >= cells.length ? body : undefined;
    }, 15_000);
    expect(alerts.alerts[0]).toMatchObject({ kind: "cap", severity: "critical" });
    expect(alerts.alerts[0]?.text).toMatch(/^\d+ of \d+ cells are at the cap \(2×\): \d+% of the market\.$/);
    const strip = page.getByTestId("alerts");
    await page.getByRole("tab", { name: "Cell" }).click();
    await strip.locator('[data-kind="cap"]').waitFor({ timeout: 15_000 });
    expect(await strip.locator(".alert.critical").first().textContent()).toBe(alerts.alerts[0]?.text ?? "");
    await screenshot(page, "alert");
    // A rider may not read a market's alerts.
    expect((await platform.as("rider").fetch(`/v1/markets/${NYC}/alerts`)).status).toBe(403);
  }, 60_000);
});

describe("only the markets an operator may watch", () => {
  test("New York's operator is offered New York alone; Ho Chi Minh City's link says no access, not Reconnecting", async () => {
    await page.goto(`${platform.url}/console/?token=${await operatorOfNewYork()}#/${NYC}`);
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    expect(await page.locator(".market-select option").allTextContents()).toEqual([nyc.name as string]);
    await page.goto(`${platform.url}/console/#/hcmc-central`);
    const notice = page.getByTestId("no-access");
    await notice.waitFor();
    expect(await notice.textContent()).toContain("This account may not watch hcmc-central. Its markets:");
    expect(await page.getByText("Reconnecting").count()).toBe(0);
    await screenshot(page, "no-access");
    await notice.getByRole("link", { name: nyc.name as string }).click();
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
  });

  test("an operator granted no market is told so", async () => {
    const lost = await browser.newPage();
    const token = await platform.token({ subject: "unassigned", roles: ["operator"], markets: ["atlantis"] });
    await lost.goto(`${platform.url}/console/?token=${token}`);
    expect(await lost.getByTestId("no-access").textContent()).toBe(
      "This account may watch no market yet (atlantis): an admin grants markets to operators.",
    );
    await lost.close();
  });
});
