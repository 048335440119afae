import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
import { toCsv } from "../shared/forecast/history";
import { syntheticHistory } from "../shared/forecast/synthetic";

/**
 * A new market's backfill: its operator imports a week of history as JSON and as CSV; sending
 * it again changes nothing, a corrected row replaces its (cell, at), a bad row rejects only
 * itself, and nobody else may import into the market.
 */

let p: Platform;
let cells: string[];
const START = Date.UTC(2026, 9, 5, 4);

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
  const res = await p.as("operator", { markets: ["nyc"] }).fetch("/v1/markets/nyc");
  expect(res.status).toBe(200);
  const { geofenceCells } = await import("../shared/pricing/zoning");
  cells = geofenceCells((demoMarket("nyc-manhattan") as { geofence: Parameters<typeof geofenceCells>[0] }).geofence, 8);
});
afterAll(async () => {
  await p.dispose();
});

const count = () =>
  Number(psql(p.database.target, p.database.name, "select count(*) from demand_intervals where market_id = 'nyc'"));

describe("history import", () => {
  test("JSON rows are stored once per (cell, at): again changes nothing, a correction replaces", async () => {
    const operator = p.as("operator", { markets: ["nyc"] });
    const { rows } = syntheticHistory({ cells: cells.slice(0, 4), start: START, weeks: 1, seed: 3 });
    const body = { rows: rows.slice(0, 500).map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
    const first = await operator.json("/v1/markets/nyc/history/import", body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 500, inserted: 500, updated: 0, unchanged: 0, rejected: 0, rejections: [] });
    expect(count()).toBe(500);
    const again = await operator.json("/v1/markets/nyc/history/import", body);
    expect(again.body).toMatchObject({ accepted: 500, inserted: 0, updated: 0, unchanged: 500 });
    const corrected = { rows: [{ ...body.rows[0], requests: (body.rows[0]?.requests ?? 0) + 5 }] };
    expect((await operator.json("/v1/markets/nyc/history/import", corrected)).body).toMatchObject({ updated: 1, inserted: 0 });
    expect(count()).toBe(500);
    const stored = psql(
      p.database.target,
      p.database.name,
      `select requests from demand_intervals where market_id = 'nyc' and cell = '${body.rows[0]?.cell}' and at = '${body.rows[0]?.at}'`,
    );
    expect(Number(stored)).toBe((body.rows[0]?.requests ?? 0) + 5);
  });

  test("CSV carries the same rows as JSON; a bad row rejects only itself, with its index and reason", async () => {
    const operator = p.as("operator", { markets: ["nyc"] });
    const { rows } = syntheticHistory({ cells: cells.slice(10, 12), start: START, weeks: 1, seed: 4 });
    const csv = `${toCsv(rows.slice(0, 200)).trimEnd()}\n${cells[10]},2026-10-05T04:00:30Z,1,1,1\n8f2830828052d25,2026-10-05T04:00:00Z,1,1,1\n`;
    const res = await operator.fetch("/v1/markets/nyc/history/import", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status).toBe(202);
    const result = (await res.json()) as {
      accepted: number;
      inserted: number;
      rejected: number;
      rejections: Array<{ index: number; reason: string }>;
    };
    expect(result).toMatchObject({ accepted: 200, inserted: 200, rejected: 2 });
    expect(result.rejections.map((r) => r.index)).toEqual([200, 201]);
    expect(result.rejections[0]?.reason).toContain("at");
    expect(result.rejections[1]?.reason).toContain("not a cell of this market");
    expect(count()).toBe(700);
  });

  test("not JSON nor CSV is 415; a CSV without the columns is 422; an unknown market 404", async () => {
    const operator = p.as("operator", { markets: ["nyc"] });
    const plain = await operator.fetch("/v1/markets/nyc/history/import", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(plain.status).toBe(415);
    const headerless = await operator.fetch("/v1/markets/nyc/history/import", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "cell,at\nx,y\n",
    });
    expect(headerless.status).toBe(422);
    expect(((await headerless.json()) as { detail: string }).detail).toContain("searches");
    const admin = p.as("admin");
    expect((await admin.json("/v1/markets/nowhere/history/import", { rows: [{}] })).status).toBe(404);
  });

  test("only the market's operators (and admins) import into it", async () => {
    const row = { rows: [{ cell: cells[0], at: "2026-10-05T04:00:00Z", searches: 1, requests: 1, supply: 1 }] };
    expect(
      (await p.as("operator", { subject: "op-hcm", markets: ["hcm"] }).json("/v1/markets/nyc/history/import", row)).status,
    ).toBe(403);
    expect((await p.as("driver").json("/v1/markets/nyc/history/import", row)).status).toBe(403);
    expect((await p.as("service").json("/v1/markets/nyc/history/import", row)).status).toBe(403);
    expect((await p.as("admin").json("/v1/markets/nyc/history/import", row)).status).toBe(202);
  });
});
