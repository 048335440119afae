import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { demoMarket, eventually, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildConsole } from "../scripts/build-console";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * New York's operator sets her own alerts from the console — an email when an emergency cap is
 * declared (quiet at night on New York's clock), a signed webhook when history backs up — is
 * refused a phone number that is not one, in the API's words, and deletes what she no longer
 * wants. On this machine the platform runs as the dev command runs it, every provider pointed at
 * the dev mailbox: she declares an emergency, and the mailbox below her alerts shows the email as
 * it was sent.
 * Screenshots: console-alert-settings.png, console-mailbox.png.
 */

const NYC = "nyc-manhattan";
let platform: Platform;
let browser: Browser;
let page: Page;
let problems: string[];

/** New York's hour now, and a quiet window that does not hold it (so nothing waits in this test). */
function quietElsewhere(): { from: string; to: string } {
  const hour = Number(
    new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "numeric", hourCycle: "h23" }).format(new Date()),
  );
  const at = (h: number) => `${String(h % 24).padStart(2, "0")}:00`;
  return { from: at(hour + 6), to: at(hour + 8) };
}

beforeAll(async () => {
  await buildConsole();
  platform = await startPlatform({ mailbox: true });
  await putMarket(platform, NYC, demoMarket(NYC));
  const token = await platform.token({ subject: "olga-operator", roles: ["operator"], markets: [NYC] });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  problems = pageProblems(page);
  await page.goto(`${platform.url}/console/?token=${token}#/${NYC}`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

const olga = () => platform.as("operator", { subject: "olga-operator", markets: [NYC] });

describe("an operator's alert settings", () => {
  test("she adds an email and a webhook alert, is refused a bad number in the API's words, and deletes one", async () => {
    const mailbox = platform.mailbox;
    if (!mailbox) throw new Error("the platform was started without its mailbox");
    await page.click('[data-tab="alerts"]');
    await page.getByRole("heading", { name: "Your alerts" }).waitFor();
    await page.getByText("No alerts yet.").waitFor();

    const quiet = quietElsewhere();
    await page.selectOption("#alert-topic", "system.emergency");
    await page.selectOption("#alert-channel", "email");
    await page.fill("#alert-target", "olga@example.com");
    await page.fill("#alert-quiet-from", quiet.from);
    await page.fill("#alert-quiet-to", quiet.to);
    await page.click('[data-testid="alert-form"] button[type="submit"]');
    await page.locator('[data-testid="alert-list"] li[data-topic="system.emergency"]').waitFor();

    await page.selectOption("#alert-topic", "system.backlog");
    await page.selectOption("#alert-channel", "webhook");
    await page.fill("#alert-target", mailbox.webhookUrl("olga-ops"));
    await page.fill("#alert-quiet-from", "");
    await page.fill("#alert-quiet-to", "");
    await page.click('[data-testid="alert-form"] button[type="submit"]');
    const secret = await page.locator('[data-testid="alert-secret"] code').textContent();
    expect(secret).toMatch(/^whsec_/);
    await page.locator('[data-testid="alert-list"] li[data-topic="system.backlog"]').waitFor();

    // A phone number that is not one: the API's refusal, shown as it says it; nothing is added.
    await page.selectOption("#alert-topic", "system.mode");
    await page.selectOption("#alert-channel", "sms");
    await page.fill("#alert-target", "12345");
    await page.click('[data-testid="alert-form"] button[type="submit"]');
    const refusal = await page.locator('[data-testid="alert-settings-error"]').textContent();
    expect(refusal).toContain("E.164");
    expect(await page.locator('[data-testid="alert-list"] li').count()).toBe(2);

    const emergency = page.locator('[data-testid="alert-list"] li[data-topic="system.emergency"]');
    expect(await emergency.textContent()).toContain(`quiet ${quiet.from}–${quiet.to}`);
    expect(await emergency.textContent()).toContain("olga@example.com");
    await screenshot(page, "alert-settings", { fullPage: true });

    await page.locator('[data-testid="alert-list"] li[data-topic="system.backlog"] button').click();
    await eventually(async () => ((await page.locator('[data-testid="alert-list"] li').count()) === 1 ? true : undefined));

    // What the API keeps is what the page shows, and it is hers alone.
    const mine = await olga().fetch(`/v1/notifications/subscriptions?market=${NYC}`);
    const body = (await mine.json()) as { subscriptions: Array<{ topic: string; channel: string; quietHours: unknown }> };
    expect(body.subscriptions.map((s) => [s.topic, s.channel])).toEqual([["system.emergency", "email"]]);
    expect(body.subscriptions[0]?.quietHours).toEqual(quiet);
    const colleague = await platform
      .as("operator", { subject: "omar-operator", markets: [NYC] })
      .fetch(`/v1/notifications/subscriptions?market=${NYC}`);
    expect(((await colleague.json()) as { subscriptions: unknown[] }).subscriptions).toEqual([]);
    expect(problems.filter((p) => !p.includes("422"))).toEqual([]);
  }, 60_000);
});

describe("the dev mailbox", () => {
  test("an emergency declared: the email arrives in the mailbox, as the email API received it, and the console's mailbox shows it", async () => {
    const declared = await olga().json("/v1/system/overrides", { market: NYC, cap: 1.5, minutes: 5, reason: "water main break" });
    expect(declared.status).toBe(201);
    const email = await eventually(async () => platform.mailbox?.messages().find((m) => m.channel === "email"), 30_000, 100);
    expect(email.to).toBe("olga@example.com");
    expect(email.request.path).toBe("/emails");
    const sent = JSON.parse(email.request.body) as { from: string; to: string[]; subject: string; text: string };
    expect(sent.to).toEqual(["olga@example.com"]);
    expect(sent.subject).toBe(`${NYC}: emergency cap declared`);
    expect(sent.text).toContain("water main break");

    // Below her alert settings, on this machine only.
    const item = page.locator('[data-testid="mailbox"] li[data-channel="email"]').first();
    await item.waitFor({ timeout: 15_000 });
    expect(await item.textContent()).toContain(`${NYC}: emergency cap declared`);
    expect(await item.textContent()).toContain("to olga@example.com");
    await item.locator("summary").click();
    expect(await item.locator("pre").textContent()).toContain("POST /emails");
    await item.locator("pre").scrollIntoViewIfNeeded();
    await screenshot(page, "mailbox", { fullPage: true });
    expect(problems.filter((p) => !p.includes("422"))).toEqual([]);
  }, 60_000);

  test("a platform configured as production has no mailbox: the route is a 404 problem", async () => {
    const plain = await startPlatform();
    try {
      const res = await plain.as("operator").fetch("/v1/notifications/mailbox");
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as { code: string }).code).toBe("mailbox-off");
    } finally {
      await plain.dispose();
    }
  }, 60_000);
});
