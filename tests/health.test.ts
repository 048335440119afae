import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type DependencyHealth,
  type FailingZone,
  LISTED_ZONES,
  modeChanges,
  modes,
  ZONES_FAILING_SHARE,
  zonesHealth,
} from "../shared/platform/health";

const canary = (status: DependencyHealth["status"]): DependencyHealth => ({
  status,
  since: "2026-12-01T08:00:00.000Z",
  lastError: status === "failing" ? "no answer within 3000 ms" : null,
  latencyMs: 4,
  reportedAt: "2026-12-01T08:00:00.000Z",
});
const ok = canary("ok");

const failingZones = fc.uniqueArray(
  fc.record({
    market: fc.constantFrom("nyc", "hcmc", "sf"),
    zone: fc.integer({ min: 0, max: 0xfffff }).map((n) => `862a${n.toString(16).padStart(5, "0")}fffff`),
    since: fc.integer({ min: 0, max: 1_000_000 }),
    lastError: fc.option(fc.string({ maxLength: 20 })),
  }),
  { selector: (z) => `${z.market}:${z.zone}`, maxLength: 150, size: "max" },
);
const asFailing = (zs: Array<{ market: string; zone: string; since: number; lastError: string | null }>): FailingZone[] =>
  zs.map((z) => ({ name: `${z.market}:${z.zone}`, market: z.market, since: z.since, lastError: z.lastError }));

describe("zone health, per zone object", () => {
  test("a zone object stops answering: it is named, its market is degraded, and the system is not", () => {
    const sick: FailingZone = {
      name: "nyc:862a100d7ffffff",
      market: "nyc",
      since: Date.parse("2026-12-01T08:01:00Z"),
      lastError: "zone unavailable",
    };
    const { health, markets } = zonesHealth(ok, [sick], 5);
    expect(health.failing).toEqual(["nyc:862a100d7ffffff"]);
    expect(health.failingShare).toBe(0.2);
    expect(health.status).toBe("ok");
    expect(markets).toEqual(["nyc"]);
    const { mode, markets: byMarket } = modes({ postgres: ok, redis: ok, queue: ok, zones: health }, markets, []);
    expect(mode).toBe("normal");
    expect(byMarket).toEqual({ nyc: "degraded" });
  });

  test("the zones fail exactly when the canary does or at least ZONES_FAILING_SHARE of all zones fail; the share is exact", () => {
    fc.assert(
      fc.property(
        failingZones,
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom("ok", "failing", "unknown" as const),
        (zs, count, c) => {
          const failing = asFailing(zs);
          const { health } = zonesHealth(canary(c), failing, count);
          const total = Math.max(count, failing.length);
          const share = total === 0 ? 0 : failing.length / total;
          expect(health.failingShare).toBeCloseTo(share, 12);
          expect(health.failingShare).toBeLessThanOrEqual(1);
          const shouldFail = c === "failing" || (failing.length > 0 && share >= ZONES_FAILING_SHARE);
          expect(health.status === "failing").toBe(shouldFail);
          if (!shouldFail) expect(health.status).toBe(c);
        },
      ),
    );
  });

  test("every failing zone's market is degraded and no other; the list names the longest failing first, within its bound", () => {
    fc.assert(
      fc.property(failingZones, fc.integer({ min: 0, max: 400 }), (zs, count) => {
        const failing = asFailing(zs);
        const { health, markets } = zonesHealth(ok, failing, count);
        expect(new Set(markets)).toEqual(new Set(failing.map((z) => z.market)));
        expect(health.failing.length).toBe(Math.min(failing.length, LISTED_ZONES));
        const since = new Map(failing.map((z) => [z.name, z.since]));
        const listed = health.failing.map((n) => since.get(n) as number);
        for (let i = 1; i < listed.length; i++) expect(listed[i]).toBeGreaterThanOrEqual(listed[i - 1] as number);
        // What is left out has failed no longer than anything listed.
        const last = listed.at(-1);
        if (last !== undefined)
          for (const z of failing) if (!health.failing.includes(z.name)) expect(z.since).toBeGreaterThanOrEqual(last);
      }),
    );
  });

  test("when the zones fail by their share, the answer says how many and since when", () => {
    const failing: FailingZone[] = [
      { name: "nyc:a", market: "nyc", since: 2_000, lastError: null },
      { name: "nyc:b", market: "nyc", since: 1_000, lastError: "zone unavailable (injected fault)" },
    ];
    const { health } = zonesHealth(ok, failing, 4);
    expect(health.status).toBe("failing");
    expect(health.since).toBe(new Date(1_000).toISOString());
    expect(health.lastError).toBe("2 of 4 zone objects failing; the first: zone unavailable (injected fault)");
  });

  test("an operator's emergency outranks a failing zone in its market", () => {
    const { markets } = modes({ postgres: ok, redis: ok, queue: ok, zones: zonesHealth(ok, [], 5).health }, ["nyc"], ["nyc"]);
    expect(markets.nyc).toBe("emergency");
  });
});

describe("mode changes, for the failure log", () => {
  test("a zone fails and recovers: its market is logged degraded then normal, the system not at all", () => {
    const normal = { mode: "normal" as const, markets: {} };
    const sick = { mode: "normal" as const, markets: { nyc: "degraded" as const } };
    expect(modeChanges(normal, sick)).toEqual([{ subject: "market:nyc", status: "degraded" }]);
    expect(modeChanges(sick, normal)).toEqual([{ subject: "market:nyc", status: "normal" }]);
  });

  test("each change is logged once, and only a change: a market follows the system unless it has its own mode", () => {
    const mode = fc.constantFrom("normal" as const, "degraded" as const, "emergency" as const);
    const reading = fc.record({
      mode: fc.constantFrom("normal" as const, "degraded" as const),
      markets: fc.dictionary(fc.constantFrom("nyc", "hcmc", "sf"), mode),
    });
    fc.assert(
      fc.property(reading, reading, (before, after) => {
        const changes = modeChanges(before, after);
        expect(changes.filter((c) => c.subject === "system").length).toBe(before.mode === after.mode ? 0 : 1);
        for (const id of ["nyc", "hcmc", "sf"]) {
          const was = before.markets[id] ?? before.mode;
          const is = after.markets[id] ?? after.mode;
          const logged = changes.filter((c) => c.subject === `market:${id}`);
          const known = id in before.markets || id in after.markets;
          expect(logged).toEqual(known && was !== is ? [{ subject: `market:${id}`, status: is }] : []);
        }
      }),
    );
    expect(modeChanges(undefined, { mode: "normal", markets: { nyc: "emergency" } })).toEqual([
      { subject: "system", status: "normal" },
    ]);
  });
});
