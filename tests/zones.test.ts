import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToLatLng, cellToParent, gridDisk } from "h3-js";
import { demandEvents, demoMarket, eventually, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { Region } from "../shared/pricing/geofence";
import { geofenceCells } from "../shared/pricing/zoning";

let p: Platform;
/** A partner's back end reports the crowd; a rider's app reads the price. */
let partner: Client;
let rider: Client;
const market = demoMarket("nyc-manhattan");

beforeAll(async () => {
  p = await startPlatform();
  partner = p.as("service");
  rider = p.as("rider");
  await putMarket(p, "nyc", market);
});
afterAll(async () => {
  await p.dispose();
});

describe("zones are shards, not borders", () => {
  test("demand at a zone's edge lifts the neighbouring cell in the next zone too", async () => {
    const geofence = market.geofence as Parameters<typeof geofenceCells>[0];
    const region = new Region(geofence);
    // Cells whose centre is in the geofence, so that events sent to the centres are the market's.
    const cells = new Set(
      geofenceCells(geofence, 8).filter((cell) => {
        const [lat, lng] = cellToLatLng(cell);
        return region.contains(lat, lng);
      }),
    );
    // A pair of adjacent cells of the market that belong to different zone objects.
    let pair: [string, string] | undefined;
    for (const cell of cells) {
      const other = gridDisk(cell, 1).find((n) => cells.has(n) && cellToParent(n, 6) !== cellToParent(cell, 6));
      if (other) {
        pair = [cell, other];
        break;
      }
    }
    if (!pair) throw new Error("the demo market has no zone border");
    const [hot, across] = pair;
    const [lat, lng] = cellToLatLng(hot);
    const [alat, alng] = cellToLatLng(across);
    await partner.json("/v1/events/demand", { events: demandEvents({ lat, lng }, 40) });

    const lifted = await eventually(async () => {
      const r = (await (await rider.fetch(`/v1/surge?lat=${alat}&lng=${alng}`)).json()) as {
        zone: string;
        multiplier: number;
        demand: number;
        explanation: { pooled: { demand: number } };
      };
      return r.multiplier > 1 ? r : undefined;
    });
    expect(lifted.zone).not.toBe(cellToParent(hot, 6));
    expect(lifted.demand).toBe(0); // its own cell saw no demand
    expect(lifted.explanation.pooled.demand).toBeGreaterThan(10); // the neighbour's, weighted
    const hotReading = (await (await rider.fetch(`/v1/surge?lat=${lat}&lng=${lng}`)).json()) as { multiplier: number };
    expect(hotReading.multiplier).toBeGreaterThanOrEqual(lifted.multiplier);
  });
});
