import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildConsole } from "../scripts/build-console";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * As an operator edits a market in the console: three mistakes at once (no name, a zone
 * resolution too coarse, a geofence pasted as [lat, lng]) are each named in the banner by the
 * field's name and marked beside the field, the geofence's fault beside the geofence; the zone
 * resolution's hint says which values fit these cells; fixed, it saves; a market that is done is
 * archived with a reason and no longer priced.
 */

const MARKET = "jersey-city";
/** Jersey City, across the Hudson from Manhattan. */
const ring = [
  [-74.08, 40.71],
  [-74.06, 40.71],
  [-74.06, 40.73],
  [-74.08, 40.73],
  [-74.08, 40.71],
];

let platform: Platform;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  await buildConsole();
  platform = await startPlatform();
  await putMarket(
    platform,
    MARKET,
    demoMarket("nyc-manhattan", { name: "Jersey City", geofence: { type: "Polygon", coordinates: [ring] } }),
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  problems = pageProblems(page);
  const token = await platform.token({ subject: "jc-operator", roles: ["operator"], markets: [MARKET] });
  await page.goto(`${platform.url}/console/?token=${token}#/${MARKET}`);
  await page.getByRole("tab", { name: "Market" }).click();
  await page.locator(".market-editor h2").filter({ hasText: MARKET }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

describe("the market editor", () => {
  test("names every error in the banner and beside its field, the geofence's included", async () => {
    expect(await page.locator('.field[data-path="zoneResolution"] small').textContent()).toBe("5–7 for cells at 8 (empty: 6)");
    await page.locator('input[name="name"]').fill("");
    await page.locator('input[name="zoneResolution"]').fill("4");
    const swapped = { type: "Polygon", coordinates: [ring.map(([lng, lat]) => [lat, lng])] };
    await page.locator('textarea[name="geofence"]').fill(JSON.stringify(swapped));
    await page.getByRole("button", { name: "Save market" }).click();

    const banner = page.getByTestId("editor-rejected");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("3 problems, each marked at its field:");
    expect(await banner.locator("li a").allTextContents()).toEqual(["Name", "Geofence", "Zone resolution"]);
    expect(await page.locator('.field[data-path="name"] .field-error').textContent()).toBe("must not be empty");
    expect(await page.locator('.field[data-path="zoneResolution"] .field-error').textContent()).toBe(
      "must be 1–3 levels below the cells' resolution: 5–7 for cells at 8",
    );
    expect(await page.locator('.field[data-path="geofence"] .field-error').textContent()).toContain(
      "read as [lat, lng] its positions would lie around 40.72, -74.07",
    );
    await page.locator(".market-editor").screenshot({ path: await screenshot(page, "market-editor-errors") });
    expect((await platform.as("rider").fetch(`/v1/markets/${MARKET}`)).status).toBe(200);
    const stored = (await (await platform.as("rider").fetch(`/v1/markets/${MARKET}`)).json()) as {
      name: string;
      version: number;
    };
    expect(stored).toMatchObject({ name: "Jersey City", version: 1 });

    // Fixed, it saves.
    await page.locator('input[name="name"]').fill("Jersey City");
    await page.locator('input[name="zoneResolution"]').fill("6");
    await page.locator('textarea[name="geofence"]').fill(JSON.stringify({ type: "Polygon", coordinates: [ring] }));
    await page.getByRole("button", { name: "Save market" }).click();
    await page.getByTestId("editor-saved").waitFor();
    expect(await page.locator(".field-error").count()).toBe(0);
  });

  test("archives the market with a reason: it is no longer priced", async () => {
    const button = page.getByRole("button", { name: "Archive market" });
    expect(await button.isDisabled()).toBe(true);
    await page.locator("#f-archive-reason").fill("merged into nyc-manhattan");
    await button.click();
    await page.getByTestId("editor-archived").waitFor();
    expect((await platform.as("rider").fetch("/v1/surge?lat=40.72&lng=-74.07")).status).toBe(404);
    // Deleting is an admin's: the operator's console says so rather than failing silently.
    await page.getByRole("button", { name: `Delete market ${MARKET}` }).click();
    expect(await page.getByTestId("editor-rejected").textContent()).toContain("is for admin");
    expect(problems.filter((p) => !p.includes("status of 422") && !p.includes("status of 403"))).toEqual([]);
  });
});
