import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, supplyEvents } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildConsole } from "../scripts/build-console";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * The operator console in other languages, in Chromium against the platform in workerd: an
 * operator whose browser is in English and on Paris time watches Ho Chi Minh City, switches the
 * console to Vietnamese, then to Arabic (the page turns right to left), and every time she
 * reads is on Ho Chi Minh City's clock with its zone, not her browser's. Screenshots:
 * tests/artifacts/console-vi-*.png and console-ar-*.png.
 */

const HCM = "hcmc-central";
const benThanh = cellAt(10.7725, 106.698);
const tanDinh = cellAt(10.795, 106.7);
const cellPath = (cell: string) => `.cells path[data-cell="${cell}"]`;

let platform: Platform;
let browser: Browser;
let page: Page;
let problems: string[];

/** Ho Chi Minh City's hour now (UTC+7, no daylight saving), to compare with what the page shows. */
const hcmHour = () => new Date(Date.now() + 7 * 3_600_000).getUTCHours();
const westernDigits = (s: string) => s.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));

beforeAll(async () => {
  await buildConsole();
  platform = await startPlatform();
  await putMarket(
    platform,
    HCM,
    demoMarket(HCM, { surge: { cap: 3, smoothing: 1, maxStepUp: 3, maxStepDown: 3, updateIntervalMs: 100 } }),
  );
  await platform.as("service").json("/v1/events/supply", { events: supplyEvents(benThanh, 2) });
  await platform.as("service").json("/v1/events/demand", { events: demandEvents(benThanh, 30) });
  const token = await platform.token({ subject: "lan-operator", roles: ["operator"], markets: [HCM] });
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    timezoneId: "Europe/Paris",
  });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  problems = pageProblems(page);
  await page.goto(`${platform.url}/console/?token=${token}#/${HCM}`);
  await page.locator(cellPath(benThanh.cell)).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

describe("the console in Vietnamese and Arabic", () => {
  test("in Vietnamese: labels, the cell's figures and its time on Ho Chi Minh City's clock", async () => {
    expect(await page.locator("html").getAttribute("lang")).toBe("en-US");
    await page.getByTestId("language").selectOption("vi");
    await page.getByRole("tab", { name: "Thử báo giá" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("vi-VN");
    expect(await page.locator("html").getAttribute("dir")).toBe("ltr");
    // The switcher names each language in itself, as GET /v1/locales does (the codes until it answers).
    const names = await eventually(async () => {
      const shown = await page.getByTestId("language").locator("option").allTextContents();
      return shown.includes("English") ? shown : undefined;
    });
    expect(names).toEqual(["English", "Tiếng Việt", "Español", "العربية"]);

    await eventually(async () =>
      Number(await page.locator(cellPath(benThanh.cell)).getAttribute("data-multiplier")) > 1 ? true : undefined,
    );
    await page.locator(cellPath(benThanh.cell)).click();
    const updated = page.getByTestId("cell-updated");
    await updated.waitFor();
    const shown = (await updated.textContent()) ?? "";
    expect(shown).toMatch(/^\d{1,2}:\d{2}:\d{2} GMT\+7$/);
    expect([hcmHour(), (hcmHour() + 23) % 24]).toContain(Number(shown.split(":")[0]));
    expect(await page.locator(".cell-panel h3").allTextContents()).toContain("Lịch sử gần đây");
    expect(await page.getByTestId("cell-sentence").textContent()).toStartWith("Giá ");
    expect(await page.locator(".explanation").textContent()).toContain("Gộp");
    await screenshot(page, "vi-cell");

    await page.getByRole("tab", { name: "Thử báo giá" }).click();
    await page.locator(cellPath(benThanh.cell)).click();
    await page.locator(cellPath(tanDinh.cell)).click();
    const total = page.getByTestId("quote-total");
    await total.waitFor();
    expect(await total.textContent()).toMatch(/^\d{1,3}(\.\d{3})+\s₫$/u);
    const meta = (await page.getByTestId("quote-meta").textContent()) ?? "";
    expect(meta).toMatch(/km · khoảng \d+ phút · hiệu lực đến \d{1,2}:\d{2} GMT\+7$/);
    expect(await page.getByTestId("quote-sentence").textContent()).toStartWith("Giá ");
    await screenshot(page, "vi-quote");
    expect(problems).toEqual([]);
  });

  test("in Arabic: right to left, Arabic-Indic digits, the same clock", async () => {
    await page.getByTestId("language").selectOption("ar");
    await page.getByRole("tab", { name: "اختبار الأسعار" }).waitFor();
    expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
    expect(await page.locator("html").getAttribute("lang")).toBe("ar-EG");
    // Right to left: the panel now sits on the map's left.
    const map = await page.locator(".map-pane").boundingBox();
    const panel = await page.locator("aside.panel").boundingBox();
    expect((panel?.x ?? 0) + (panel?.width ?? 0)).toBeLessThanOrEqual((map?.x ?? 0) + 1);

    await page.getByRole("tab", { name: "اختبار الأسعار" }).click();
    await page.locator(cellPath(benThanh.cell)).click();
    await page.locator(cellPath(tanDinh.cell)).click();
    const total = page.getByTestId("quote-total");
    await total.waitFor();
    const written = (await total.textContent()) ?? "";
    expect(written).toMatch(/[٠-٩]/);
    expect(written).not.toMatch(/[0-9]/);
    expect(await page.getByTestId("quote-sentence").textContent()).toMatch(/^[\u0600-\u06FF]/);
    await screenshot(page, "ar-quote");

    await page.getByRole("tab", { name: "الخلية" }).click();
    await page.locator(cellPath(benThanh.cell)).click();
    const updated = page.getByTestId("cell-updated");
    await updated.waitFor();
    const hour = Number(westernDigits((await updated.textContent()) ?? "").match(/\d+/)?.[0]);
    // A 12-hour clock in Arabic: the hour modulo 12.
    expect([hcmHour() % 12 || 12, (hcmHour() + 23) % 12 || 12]).toContain(hour);
    await screenshot(page, "ar-cell");
    expect(problems).toEqual([]);
  });
});
