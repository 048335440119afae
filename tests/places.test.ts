import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { latLngToCell } from "h3-js";
import type { Browser, Page } from "playwright-core";
import { demandEvents, demoMarket, eventually, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildConsole } from "../scripts/build-console";
import { placeNear, placeOfCell, searchPlaces } from "../shared/pricing/places";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * "An operator cannot tell the 3.0× cell is Madison Square Garden". Markets carry named
 * places (the demo markets ship theirs); the map labels them, the "surging now" list and search
 * name cells by them (and the rest of the list opens), and a rider's sentence says where demand
 * is. A place outside the geofence is refused at its field. Screenshot: console-map-places.png.
 */

const NYC = "nyc-manhattan";
const MSG = { lat: 40.7505, lng: -73.9934 };
const nyc = demoMarket(NYC, { surge: { cap: 3, smoothing: 1, maxStepUp: 3, maxStepDown: 3, updateIntervalMs: 100 } });
const places = nyc.places as Parameters<typeof placeNear>[0] & object;

describe("places, pure", () => {
  test("a point names the nearest place whose radius reaches it; a cell, the place inside it", () => {
    expect(placeNear(places, MSG.lat + 0.001, MSG.lng)?.name).toBe("Madison Square Garden");
    expect(placeNear(places, 40.8, -73.93)).toBeUndefined();
    expect(placeOfCell(places, latLngToCell(MSG.lat, MSG.lng, 8), 8)?.name).toBe("Madison Square Garden");
  });

  test("search folds accents and case: 'ben thanh' finds Chợ Bến Thành", () => {
    const saigon = demoMarket("hcmc-central").places as typeof places;
    expect(searchPlaces(saigon, "ben thanh").map((p) => p.name)).toEqual(["Chợ Bến Thành"]);
    expect(searchPlaces(places, "MADISON").map((p) => p.id)).toEqual(["madison-square-garden"]);
    expect(searchPlaces(places, "  ")).toEqual([]);
  });
});

let platform: Platform;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await buildConsole();
  platform = await startPlatform();
  await putMarket(platform, NYC, nyc);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

describe("places in the API", () => {
  test("a rider's sentence says where demand is, in the rider's language", async () => {
    await platform.as("service").json("/v1/events/demand", { events: demandEvents(MSG, 40) });
    const rider = platform.as("rider");
    const quoted = await eventually(async () => {
      const res = await rider.json<{ multiplier: number; explanationText: string }>("/v1/quotes", {
        pickup: MSG,
        dropoff: { lat: 40.7069, lng: -74.0113 },
        product: "standard",
      });
      return res.body.multiplier > 1 ? res.body : undefined;
    });
    expect(quoted.explanationText).toMatch(
      /^Prices are (higher because|[\d.]+×, the most this market allows, because) demand near Madison Square Garden is /,
    );
    const spanish = (await (await rider.fetch(`/v1/surge?lat=${MSG.lat}&lng=${MSG.lng}&locale=es`)).json()) as {
      explanationText: string;
    };
    expect(spanish.explanationText).toContain("cerca de Madison Square Garden");
    // Where the market names no place, the sentence speaks of the pickup.
    const harlem = (await (await rider.fetch("/v1/surge?lat=40.795&lng=-73.94")).json()) as { explanationText: string };
    expect(harlem.explanationText).not.toContain("Madison");
  });

  test("a place outside the geofence is refused at its field", async () => {
    const res = await platform
      .as("operator", { markets: [NYC] })
      .json<{ errors: Array<{ path: string; message: string }> }>(
        `/v1/markets/${NYC}`,
        { ...nyc, places: [...places, { id: "eiffel", name: "Tour Eiffel", kind: "landmark", lat: 48.8584, lng: 2.2945 }] },
        "PUT",
      );
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: `places.${places.length}`, message: "Tour Eiffel lies outside the geofence" }]);
  });
});

describe("places in the console", () => {
  test("labelled on the map, naming the surging cells, found by search", async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(10_000);
    const problems = pageProblems(page);
    const token = await platform.token({ subject: "places-operator", roles: ["operator"], markets: [NYC] });
    await page.goto(`${platform.url}/console/?token=${token}#/${NYC}`);
    await page.locator(".places .place").first().waitFor();
    expect(await page.locator(".places .place").count()).toBe(places.length);
    expect(await page.locator('.places [data-place="madison-square-garden"] text').textContent()).toBe("Madison Square Garden");
    // Midtown's places lie within a few hundred metres: as drawn, no two labels overlap, and each
    // place, labelled or not, names itself on hover.
    const drawn = await page.locator(".places .place").evaluateAll((groups) =>
      groups.map((g) => {
        const r = g.querySelector("text")?.getBoundingClientRect();
        return { title: g.querySelector("title")?.textContent, box: r && { l: r.left, r: r.right, t: r.top, b: r.bottom } };
      }),
    );
    expect(drawn.map((d) => d.title).sort()).toEqual(places.map((p) => p.name).sort());
    const boxes = drawn.flatMap((d) => (d.box ? [d.box] : []));
    expect(boxes.length).toBeGreaterThanOrEqual(places.length - 3);
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1)) expect(a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b).toBe(false);

    // Surge in more cells than the list shows at first: Madison Square Garden's is named, the rest opens.
    const spots = [MSG, { lat: 40.758, lng: -73.9855 }, { lat: 40.7527, lng: -73.9772 }];
    const around = Array.from({ length: 14 }, (_, i) => ({ lat: 40.715 + i * 0.005, lng: -74.0 + i * 0.0015 }));
    for (const at of [...spots, ...around])
      await platform.as("service").json("/v1/events/demand", { events: demandEvents(at, 30) });
    const list = page.locator("ol.surging");
    await list.getByText("Madison Square Garden").waitFor({ timeout: 15_000 });
    await page.getByTestId("surging-more").waitFor({ timeout: 15_000 });
    const shown = await list.locator("li button[data-cell]").count();
    await page.getByTestId("surging-more").click();
    expect(await list.locator("li button[data-cell]").count()).toBeGreaterThan(shown);
    await screenshot(page, "map-places");

    await page.getByRole("searchbox", { name: "Find a place" }).fill("grand cen");
    await page.getByTestId("place-results").getByRole("button", { name: "Grand Central Terminal" }).click();
    // Grand Central shares its cell with Times Square: the cell is named by both.
    expect(await page.locator(".cell-head h2").textContent()).toContain("Grand Central Terminal");
    expect(await page.locator(".cell-head code").textContent()).toBe(latLngToCell(40.7527, -73.9772, 8));
    expect(problems).toEqual([]);
  }, 60_000);
});
