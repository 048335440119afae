import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, supplyEvents } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildConsole } from "../scripts/build-console";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * The console's experiments page in a real Chromium: an operator starts a shadow switchback of a
 * steeper curve, sees it listed with its results (and the intervals drawn once there are data),
 * is refused a second one with the platform's reason, stops it, and replays the last minutes
 * through a flat curve against what was live. Screenshots land in tests/artifacts/.
 */

const NYC = "nyc-manhattan";
let platform: Platform;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  await buildConsole();
  platform = await startPlatform();
  await putMarket(platform, NYC, demoMarket(NYC));
  const token = await platform.token({ subject: "console-operator", roles: ["operator"], markets: [NYC] });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  problems = pageProblems(page);
  await page.goto(`${platform.url}/console/?token=${token}#/${NYC}`);
  await page.getByRole("tab", { name: "Experiments" }).click();
});

afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

describe("the experiments page", () => {
  test("an operator starts a shadow switchback and sees it running with its results", async () => {
    await page.getByText("No experiments in this market yet.").waitFor();
    const form = page.getByTestId("experiment-form");
    await form.locator('input[name="experiment-id"]').fill("steeper-shadow");
    await form.getByRole("button", { name: "Start" }).click();
    await page.getByTestId("experiment-list").getByText("steeper-shadow").waitFor();
    expect(await page.getByTestId("experiment-list").locator(".status").first().textContent()).toBe("running");
    await page.getByTestId("experiment-variants").waitFor();
    const variants = await page.getByTestId("experiment-variants").locator("tbody th").allTextContents();
    expect(variants).toEqual(["control", "treatment"]);
    // A market runs one experiment at a time: the platform's reason is shown.
    await form.locator('input[name="experiment-id"]').fill("another");
    await form.getByRole("button", { name: "Start" }).click();
    expect(await page.getByTestId("experiment-error").textContent()).toContain("steeper-shadow");
    await screenshot(page, "experiments-running");
  });

  test("stopping it shows it stopped", async () => {
    await page.getByRole("button", { name: "Stop experiment" }).click();
    await page.getByTestId("experiment-list").locator(".status.stopped").waitFor();
    expect(problems.filter((p) => !p.includes("409"))).toEqual([]);
  });

  test("replay compares the last minutes, live and recorded, with a candidate", async () => {
    const times = cellAt(40.758, -73.9855);
    await platform.as("service").json("/v1/events/supply", { events: supplyEvents(times, 2) });
    await platform.as("service").json("/v1/events/demand", { events: demandEvents(times, 30) });
    // The crowd's events reach history before the replay reads them.
    await eventually(
      async () => {
        const res = await platform.as("operator", { markets: [NYC] }).json<{ events: number }>(`/v1/markets/${NYC}/replay`, {
          from: new Date(Date.now() - 5 * 60_000).toISOString(),
          to: new Date().toISOString(),
          candidate: {},
        });
        return res.body.events >= 32 ? true : undefined;
      },
      30_000,
      500,
    );
    const form = page.getByTestId("replay-form");
    await form.locator('input[name="replay-minutes"]').fill("10");
    await form.locator('input[name="replay-sensitivity"]').fill("0.1");
    await form.getByRole("button", { name: "Replay" }).click();
    const table = page.getByTestId("replay-comparison");
    await table.waitFor();
    expect(await table.locator("tbody th").allTextContents()).toEqual([
      "live (recorded)",
      "live settings, replayed",
      "candidate",
    ]);
    await screenshot(page, "experiments-replay");
  });
});
