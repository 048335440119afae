import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "../harness/fixtures";
import { type DevCommand, devCommand } from "./support/dev-command";

/**
 * The dev mailbox as `npm start` runs it (wrangler dev, `.dev.vars` written by the dev command,
 * in a copy of the checkout): an operator subscribes her email to her market's emergencies and
 * declares one; the notifications worker sends it through the email adapter to the mailbox the
 * dev command started, and the API's mailbox route shows it. Nothing leaves the machine.
 */

let command: DevCommand | undefined;
afterAll(async () => {
  await command?.dispose();
});

describe("npm start keeps a mailbox", () => {
  test("an emergency declared reaches the operator's email in the mailbox, read through the API", async () => {
    command = await devCommand();
    const run = await command.start();
    expect(run.output()).toContain("mailbox");
    const market = "nyc-manhattan";
    const token = await command.token({ subject: "dev-olga", roles: ["operator"], markets: [market] });
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${command?.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      });
    const subscribed = await call("/v1/notifications/subscriptions", {
      method: "POST",
      body: JSON.stringify({ topic: "system.emergency", market, channel: "email", target: "olga@example.com" }),
    });
    expect(subscribed.status).toBe(201);
    const declared = await call("/v1/system/overrides", {
      method: "POST",
      body: JSON.stringify({ market, cap: 1.5, minutes: 5, reason: "a street fair" }),
    });
    expect(declared.status).toBe(201);
    const email = await eventually(
      async () => {
        const res = await call("/v1/notifications/mailbox");
        expect(res.status).toBe(200);
        const { messages } = (await res.json()) as {
          messages: Array<{ channel: string; to: string; title: string; body: string }>;
        };
        return messages.find((m) => m.channel === "email");
      },
      60_000,
      500,
    );
    expect(email).toMatchObject({ to: "olga@example.com", title: `${market}: emergency cap declared` });
    expect(email.body).toContain("a street fair");
  }, 240_000);
});
