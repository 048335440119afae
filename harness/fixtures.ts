import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { cellToLatLng, latLngToCell } from "h3-js";
import { MAX_IMPORT_ROWS, toCsv } from "../shared/forecast/history";
import type { SyntheticHistory } from "../shared/forecast/synthetic";
import type { Client, Platform } from "./platform";
import { ROOT } from "./workers";

/** What tests and benchmarks feed the platform: the demo markets, events, and waiting for what follows. */

/** A demo market as shipped in `db/seed/markets/`, optionally with settings changed. */
export function demoMarket(name: "hcmc-central" | "nyc-manhattan", patch: Record<string, unknown> = {}): Record<string, unknown> {
  const market = JSON.parse(readFileSync(resolve(ROOT, `db/seed/markets/${name}.json`), "utf8"));
  // The demo's places lie in the demo's geofence: another geofence comes without them unless given.
  if ("geofence" in patch && !("places" in patch)) delete market.places;
  return { ...market, ...patch };
}

/** Creates or replaces a market as its operator would (an operator of that market only). */
export async function putMarket(platform: Pick<Platform, "as">, id: string, body: Record<string, unknown>) {
  const res = await platform.as("operator", { markets: [id] }).json(`/v1/markets/${id}`, body, "PUT");
  if (res.status >= 300) throw new Error(`PUT market ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; version: number; resolution: number; zoneResolution: number };
}

/** Centre of the resolution-8 cell at a point, so tests can aim events at one cell. */
export function cellAt(lat: number, lng: number, resolution = 8) {
  const cell = latLngToCell(lat, lng, resolution);
  const [clat, clng] = cellToLatLng(cell);
  return { cell, lat: clat, lng: clng };
}

let seq = 0;
export function uid(prefix: string): string {
  seq += 1;
  return `${prefix}-${Date.now().toString(36)}-${seq}`;
}

export function demandEvents(at: { lat: number; lng: number }, n: number, kind: "search" | "request" = "request") {
  return Array.from({ length: n }, () => ({
    eventId: uid("d"),
    riderId: uid("r"),
    lat: at.lat,
    lng: at.lng,
    kind,
    at: new Date().toISOString(),
  }));
}

export function supplyEvents(at: { lat: number; lng: number }, n: number, status = "available") {
  return Array.from({ length: n }, () => ({
    eventId: uid("s"),
    driverId: uid("drv"),
    lat: at.lat,
    lng: at.lng,
    status,
    at: new Date().toISOString(),
  }));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 5000, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(every);
  }
}

/**
 * A market's past as an operator backfills it: history rows as CSV in the largest imports the
 * route takes, then the calendar's happenings. Throws at the first refusal.
 */
export async function importHistory(
  operator: Client,
  market: string,
  history: Pick<SyntheticHistory, "rows" | "calendar">,
): Promise<void> {
  for (let i = 0; i < history.rows.length; i += MAX_IMPORT_ROWS) {
    const res = await operator.fetch(`/v1/markets/${market}/history/import`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: toCsv(history.rows.slice(i, i + MAX_IMPORT_ROWS)),
    });
    if (res.status !== 202) throw new Error(`history import refused: ${res.status} ${await res.text()}`);
  }
  for (const e of history.calendar) {
    const { id, from, to, ...rest } = e;
    const res = await operator.json(
      `/v1/markets/${market}/calendar/${id}`,
      { ...rest, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      "PUT",
    );
    if (res.status !== 201) throw new Error(`calendar entry ${id} refused: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Madison Square Garden: the demo market's venue, where synthetic history puts its let-outs. */
export const GARDEN = { lat: 40.7505, lng: -73.9934, name: "Madison Square Garden" };

/**
 * A calendar entry: a match at the Garden that ends 20 minutes after `end` (the start of the
 * current 15-minute interval), so its let-out falls within the next hour.
 */
export function matchAtTheGarden(end: number) {
  return {
    kind: "match",
    from: new Date(end - 2.5 * 3_600_000 + 20 * 60_000).toISOString(),
    to: new Date(end + 20 * 60_000).toISOString(),
    ...GARDEN,
    name: "Knicks at the Garden",
    radiusKm: 0.8,
    expectedAttendance: 19_000,
  };
}

/**
 * An experiment's definition for `PUT /v1/experiments/{id}`: a live switchback of flat pricing
 * against surge in `market`, hour-long windows from now for three hours, judged on the
 * multiplier with a guardrail against it rising; `patch` changes any field.
 */
export function switchbackExperiment(market: string, patch: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    market,
    name: "surge against flat pricing",
    design: "switchback",
    windowMinutes: 60,
    burnInMinutes: 0,
    unitResolution: 8,
    variants: [
      { id: "flat", weight: 1, surge: { enabled: false } },
      { id: "surge", weight: 1 },
    ],
    mode: "live",
    from: new Date(now).toISOString(),
    to: new Date(now + 3 * 3_600_000).toISOString(),
    primaryMetric: "multiplier",
    guardrails: [{ metric: "multiplier", worseIf: "higher", tolerance: 0.05 }],
    ...patch,
  };
}
