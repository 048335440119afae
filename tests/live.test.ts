import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToParent, gridDisk } from "h3-js";
import { cellAt, demandEvents, demoMarket, putMarket, supplyEvents } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { LiveClient } from "./support/live-client";

let p: Platform;
/** A rider's app watches its cells; an operator's console the whole market; a partner reports the crowds. */
let token = "";
let operatorToken = "";
let partner: Client;
/** Browsers cannot set headers on a WebSocket: the token goes in the query. */
const wsUrl = (query: string, as = token) => `${p.url.replace("http", "ws")}/v1/live?${query}&access_token=${as}`;
const grandCentral = cellAt(40.7527, -73.9772);
const soho = cellAt(40.7233, -74.003);

beforeAll(async () => {
  p = await startPlatform();
  token = await p.token({ roles: ["rider"] });
  operatorToken = await p.token({ roles: ["operator"], markets: ["nyc"] });
  partner = p.as("service");
  // Fast, large steps so one burst shows at once; the curve itself is tested elsewhere.
  await putMarket(
    p,
    "nyc",
    demoMarket("nyc-manhattan", { surge: { cap: 3, smoothing: 1, maxStepUp: 3, maxStepDown: 3, updateIntervalMs: 100 } }),
  );
});
afterAll(async () => {
  await p.dispose();
});

describe("live multipliers over WebSocket", () => {
  test("a rider app watching its cell sees the surge arrive with increasing sequence numbers", async () => {
    const client = new LiveClient(wsUrl(`cells=${grandCentral.cell}`));
    await client.opened;
    const subscribed = await client.next((m) => m.type === "subscribed");
    expect(subscribed.cells).toEqual([grandCentral.cell]);
    const snapshot = await client.next((m) => m.type === "snapshot");
    expect(snapshot.cells).toEqual([{ cell: grandCentral.cell, multiplier: 1, seq: 0 }]);

    await partner.json("/v1/events/supply", { events: supplyEvents(grandCentral, 2) });
    await partner.json("/v1/events/demand", { events: demandEvents(grandCentral, 4) });
    const surge = await client.next((m) => m.type === "surge" && m.cell === grandCentral.cell);
    expect(surge.multiplier as number).toBeGreaterThan(1);
    expect(surge.multiplier as number).toBeLessThan(3);
    expect(surge.seq).toBe(1);
    expect(Number.isNaN(Date.parse(surge.at as string))).toBe(false);

    await partner.json("/v1/events/demand", { events: demandEvents(grandCentral, 200) });
    const higher = await client.next((m) => m.type === "surge" && (m.seq as number) > 1);
    expect(higher.multiplier as number).toBeGreaterThan(surge.multiplier as number);
    expect(higher.multiplier as number).toBeLessThanOrEqual(3);
    expect(higher.seq).toBe(2);
    // Only changes are sent: every surge message differs from the one before it.
    const surges = client.messages.filter((m) => m.type === "surge");
    for (let i = 1; i < surges.length; i++) expect(surges[i]?.multiplier).not.toBe(surges[i - 1]?.multiplier);
    client.close();
  });

  test("an operator console watching the whole market sees changes from every zone", async () => {
    expect(cellToParent(soho.cell, 6)).not.toBe(cellToParent(grandCentral.cell, 6));
    const consoleClient = new LiveClient(wsUrl("market=nyc", operatorToken));
    await consoleClient.opened;
    const snapshot = await consoleClient.next((m) => m.type === "snapshot");
    // The market feed already knows Grand Central's surge from the first test.
    expect(
      (snapshot.cells as Array<{ cell: string; multiplier: number }>).find((c) => c.cell === grandCentral.cell)?.multiplier,
    ).toBeGreaterThan(1);
    await partner.json("/v1/events/supply", { events: supplyEvents(soho, 1) });
    await partner.json("/v1/events/demand", { events: demandEvents(soho, 30) });
    const m = await consoleClient.next((x) => x.type === "surge" && x.cell === soho.cell);
    expect(m.multiplier as number).toBeGreaterThan(1);
    consoleClient.close();
  });

  test("subscribing later by message; a plain ping is answered pong", async () => {
    const neighbour = gridDisk(grandCentral.cell, 1).find(
      (c) => c !== grandCentral.cell && cellToParent(c, 6) === cellToParent(grandCentral.cell, 6),
    );
    const client = new LiveClient(wsUrl(`cells=${neighbour}`));
    await client.opened;
    await client.next((m) => m.type === "snapshot");
    client.ws.send("ping");
    await client.next(() => client.raw.includes("pong"));
    client.ws.send(JSON.stringify({ type: "subscribe", cells: [grandCentral.cell] }));
    const sub = await client.next((m) => m.type === "subscribed" && Array.isArray(m.cells) && m.cells.length === 2);
    expect(sub.cells).toContain(grandCentral.cell);
    client.ws.send(JSON.stringify({ type: "subscribe", cells: [soho.cell] }));
    const err = await client.next((m) => m.type === "error");
    expect(err.detail as string).toContain("not in this zone");
    client.ws.send("{nonsense");
    await client.next((m) => m.type === "error" && (m.detail as string).includes("JSON"));
    client.close();
  });

  test("bad subscriptions are refused before the upgrade, as problems", async () => {
    const rider = p.as("rider");
    // Whole markets are watched by their operators: one of a market that does not exist (yet).
    const operator = p.as("operator", { markets: ["atlantis"] });
    const cases: Array<[string, number, Client]> = [
      ["", 400, operator],
      ["cells=not-a-cell", 400, rider],
      ["market=atlantis", 404, operator],
      [`cells=${cellAt(48.8566, 2.3522).cell}`, 404, rider],
      [`cells=${cellAt(40.758, -73.9855, 9).cell}`, 404, rider],
    ];
    for (const [query, status, caller] of cases) {
      const res = await caller.fetch(`/v1/live?${query}`, {
        headers: {
          upgrade: "websocket",
          connection: "upgrade",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await rider.fetch(`/v1/live?cells=${grandCentral.cell}`)).status).toBe(426);
  });
});
