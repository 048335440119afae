import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { areNeighborCells, cellToChildren, cellToParent, gridDisk, gridDistance, latLngToCell } from "h3-js";
import { type SurgeSettings, SurgeSettingsSchema } from "../shared/pricing/market";
import { effectiveCap, liveHorizonMs } from "../shared/pricing/surge";
import { HALO_TTL_MS, MAX_DRIVERS, MAX_RIDERS, type SurgeChange, ZoneState } from "../shared/pricing/zone-state";

/**
 * The zone state machine told as the product's stories, on real H3 cells around Times Square
 * (resolution-8 cells, the resolution-6 zone that holds them) and explicit clocks.
 */

const DEFAULTS: SurgeSettings = SurgeSettingsSchema.parse({});
const T0 = Date.UTC(2025, 5, 14, 22, 30); // a Saturday night, 22:30 UTC
const SECOND = 1000;

const TIMES_SQUARE = latLngToCell(40.758, -73.9855, 8);
const ZONE = cellToParent(TIMES_SQUARE, 6);
const OWN: ReadonlySet<string> = new Set(cellToChildren(ZONE, 8));
const OWN_LIST = [...OWN].sort();

/** Times Square and two of its neighbours that touch each other: three mutually adjacent cells of the zone. */
const HOT: [string, string, string] = (() => {
  const around = gridDisk(TIMES_SQUARE, 1).filter((c) => c !== TIMES_SQUARE && OWN.has(c));
  for (const a of around) for (const b of around) if (a < b && areNeighborCells(a, b)) return [TIMES_SQUARE, a, b];
  throw new Error("no adjacent pair around Times Square");
})();
/** Cells of the zone next to a hot cell. */
const NEAR = OWN_LIST.filter((c) => !HOT.includes(c) && HOT.some((h) => gridDistance(c, h) === 1));
/** Cells of the zone at least three steps from every hot cell: beyond any ring of the default settings. */
const FAR = OWN_LIST.filter((c) => HOT.every((h) => gridDistance(c, h) >= 3));
/** A neighbour of Times Square in another zone: its balance can only come through the halo. */
const OUTSIDE = (() => {
  const c = gridDisk(TIMES_SQUARE, 1).find((x) => !OWN.has(x));
  if (!c) throw new Error("Times Square is not on the zone's border");
  return c;
})();

function zone(settings: SurgeSettings = DEFAULTS, emergencyCap?: number): ZoneState {
  return new ZoneState(OWN, settings, emergencyCap);
}

const shown = (state: ZoneState, cell: string, now: number) => state.reading(cell, now).shownTenths;

function request(state: ZoneState, cell: string, n: number, at: number, now = at): void {
  for (let i = 0; i < n; i++) expect(state.applyDemand(cell, 1, at, now)).toBe("applied");
}

let driverSeq = 0;
function drivers(state: ZoneState, cell: string, n: number, at: number, now = at): string[] {
  const ids = Array.from({ length: n }, () => `drv-${++driverSeq}`);
  for (const id of ids) expect(state.applySupply(id, cell, true, at, now)).toBe("applied");
  return ids;
}

/**
 * Ticks and checks the change records against readings taken before and after: `changes` holds exactly the
 * cells whose shown multiplier changed, each with its seq one higher than before; every shown value stays
 * within [1.0, cap].
 */
function tickChecked(state: ZoneState, now: number) {
  const before = new Map(OWN_LIST.map((c) => [c, state.reading(c, now)] as const));
  const result = state.tick(now);
  const changed = new Map<string, SurgeChange>();
  for (const ch of result.changes) {
    expect(changed.has(ch.cell)).toBe(false);
    changed.set(ch.cell, ch);
  }
  const cap = effectiveCap(state.settings, state.emergencyCap);
  for (const cell of OWN_LIST) {
    const b = before.get(cell);
    const a = state.reading(cell, now);
    if (!b) throw new Error("missing reading");
    expect(a.shownTenths).toBeGreaterThanOrEqual(10);
    expect(a.shownTenths / 10).toBeLessThanOrEqual(cap);
    expect(state.cells.get(cell)?.smoothed ?? 1).toBeLessThanOrEqual(cap);
    expect(a.explanation.shown).toBe(a.shownTenths / 10);
    const ch = changed.get(cell);
    if (a.shownTenths !== b.shownTenths) {
      expect(ch).toEqual({ cell, shownTenths: a.shownTenths, seq: b.seq + 1, at: now });
      expect(a.seq).toBe(b.seq + 1);
      expect(result.updated).toContain(cell);
    } else {
      expect(ch).toBeUndefined();
      expect(a.seq).toBe(b.seq);
    }
  }
  for (const cell of changed.keys()) expect(OWN.has(cell)).toBe(true);
  return result;
}

describe("a stadium lets out", () => {
  test("three adjacent cells surge within a few ticks, their neighbours less, far cells not at all; then all calms down", () => {
    const s = DEFAULTS;
    const state = zone(s);
    const capTenths = Math.floor(s.cap * 10);
    expect(NEAR.length).toBeGreaterThan(3);
    expect(FAR.length).toBeGreaterThan(5);

    // The final whistle: 12 ride requests in each of the three cells, and only 2 drivers in each.
    for (const cell of HOT) {
      request(state, cell, 12, T0);
      drivers(state, cell, 2, T0);
    }

    let now = T0;
    let firstSurgeTick = -1;
    for (let i = 1; i <= 30; i++) {
      now = T0 + i * s.updateIntervalMs;
      const { active } = tickChecked(state, now);
      expect(active).toBe(true);
      const hot = HOT.map((c) => shown(state, c, now));
      if (firstSurgeTick < 0 && hot.every((t) => t > 10)) firstSurgeTick = i;
      for (const t of hot) expect(t).toBeLessThanOrEqual(capTenths);
      for (const c of NEAR) expect(shown(state, c, now)).toBeLessThanOrEqual(Math.min(...hot));
      for (const c of FAR) expect(shown(state, c, now)).toBe(10);
    }
    expect(firstSurgeTick).toBeGreaterThan(0);
    expect(firstSurgeTick).toBeLessThanOrEqual(3);

    // Settled: the hot cells clearly above their neighbours, the neighbours lifted by the crowd next door.
    const hot = HOT.map((c) => shown(state, c, now));
    const near = NEAR.map((c) => shown(state, c, now));
    expect(Math.max(...near)).toBeLessThan(Math.min(...hot));
    expect(Math.max(...near)).toBeGreaterThan(10);
    const story = state.reading(TIMES_SQUARE, now).explanation;
    expect(story.thinData).toBe(false);
    expect(story.pooled.demand).toBeGreaterThan(story.demand);

    // The crowd is gone: no more requests. The zone keeps ticking while active, for about 20 half-lives.
    const end = now + 20 * s.demandHalfLifeSeconds * SECOND;
    let quietSince = -1;
    let peak = 0;
    while (now < end) {
      now += s.updateIntervalMs;
      const { active, changes } = state.tick(now);
      for (const c of OWN_LIST) peak = Math.max(peak, shown(state, c, now));
      if (!active && quietSince < 0) quietSince = now;
      if (quietSince >= 0) {
        expect(active).toBe(false);
        expect(changes).toEqual([]);
      }
    }
    expect(peak).toBeLessThanOrEqual(capTenths);
    expect(quietSince).toBeGreaterThan(0);
    for (const c of OWN_LIST) {
      const r = state.reading(c, now);
      expect(r.shownTenths).toBe(10);
    }
    for (const c of state.cells.values()) expect([c.smoothed, c.shownTenths]).toEqual([1, 10]);
    // Drivers of the evening have left the supply window, and nothing is left to report as active.
    expect(state.drivers.size).toBe(0);
    expect(state.activeCells(now)).toEqual([]);
  });

  test("an emergency cap set mid-surge holds every cell at or under it from the next tick", () => {
    const state = zone();
    for (const cell of HOT) request(state, cell, 60, T0);
    let now = T0;
    for (let i = 1; i <= 20; i++) {
      now = T0 + i * DEFAULTS.updateIntervalMs;
      tickChecked(state, now);
    }
    expect(Math.max(...HOT.map((c) => shown(state, c, now)))).toBe(30);

    state.emergencyCap = 1.45;
    now += DEFAULTS.updateIntervalMs;
    const { changes } = state.tick(now);
    for (const c of OWN_LIST) expect(shown(state, c, now)).toBeLessThanOrEqual(14);
    for (const c of HOT) {
      expect(changes.map((ch) => ch.cell)).toContain(c);
      expect(state.reading(c, now).explanation.capApplied).toBe("emergency");
      expect(state.cells.get(c)?.smoothed).toBeLessThanOrEqual(1.45);
    }
  });
});

describe("1.0 when balanced, and when there is nothing to go on", () => {
  test("a zone with no data at all shows 1.0 everywhere, and a tick changes nothing", () => {
    const state = zone();
    for (const c of OWN_LIST) {
      const r = state.reading(c, T0);
      expect(r.shownTenths).toBe(10);
      expect(r.explanation.shown).toBe(1);
    }
    expect(state.tick(T0)).toEqual({ changes: [], updated: [], active: false });
  });

  test("a balanced cell (drivers ≈ requests) stays at 1.0", () => {
    for (const [requests, driverCount] of [
      [10, 10],
      [11, 10],
      [30, 28],
    ] as const) {
      const state = zone();
      request(state, TIMES_SQUARE, requests, T0);
      drivers(state, TIMES_SQUARE, driverCount, T0);
      for (let i = 0; i <= 50; i++) {
        const now = T0 + i * DEFAULTS.updateIntervalMs;
        const { changes, active } = tickChecked(state, now);
        expect(changes).toEqual([]);
        // Nothing moving: the zone object need not schedule another tick.
        expect(active).toBe(false);
        expect(shown(state, TIMES_SQUARE, now)).toBe(10);
      }
      expect(state.reading(TIMES_SQUARE, T0 + 50 * DEFAULTS.updateIntervalMs).explanation.thinData).toBe(false);
    }
  });

  test("a cell with only drivers and no demand stays at 1.0 and is not even recomputed", () => {
    const state = zone();
    drivers(state, TIMES_SQUARE, 25, T0);
    for (let i = 0; i <= 10; i++) {
      const now = T0 + i * DEFAULTS.updateIntervalMs;
      expect(state.tick(now)).toEqual({ changes: [], updated: [], active: false });
      expect(state.reading(TIMES_SQUARE, now).supply).toBe(25);
      expect(shown(state, TIMES_SQUARE, now)).toBe(10);
    }
  });

  test("a couple of requests with no driver are too thin to surge", () => {
    const state = zone();
    request(state, TIMES_SQUARE, 2, T0);
    for (let i = 0; i <= 10; i++) expect(tickChecked(state, T0 + i * DEFAULTS.updateIntervalMs).active).toBe(false);
    const r = state.reading(TIMES_SQUARE, T0 + 10 * DEFAULTS.updateIntervalMs);
    expect(r.shownTenths).toBe(10);
    expect(r.explanation.thinData).toBe(true);
  });
});

describe("supply: who counts as an available driver", () => {
  const [A, B] = [HOT[0], HOT[1]];
  const supplyOf = (state: ZoneState, cell: string, now: number) => {
    state.refreshSupply(now);
    return state.reading(cell, now).supply;
  };

  test("a driver counts in one cell at a time: moving the driver moves the count", () => {
    const state = zone();
    expect(state.applySupply("ana", A, true, T0, T0)).toBe("applied");
    expect([supplyOf(state, A, T0), supplyOf(state, B, T0)]).toEqual([1, 0]);
    expect(state.applySupply("ana", B, true, T0 + 5 * SECOND, T0 + 5 * SECOND)).toBe("applied");
    expect([supplyOf(state, A, T0 + 5 * SECOND), supplyOf(state, B, T0 + 5 * SECOND)]).toEqual([0, 1]);
    expect(state.drivers.size).toBe(1);
  });

  test("a busy or offline event removes the driver from supply", () => {
    const state = zone();
    state.applySupply("ana", A, true, T0, T0);
    state.applySupply("ben", A, true, T0, T0);
    expect(supplyOf(state, A, T0)).toBe(2);
    expect(state.applySupply("ana", A, false, T0 + SECOND, T0 + SECOND)).toBe("applied");
    expect(supplyOf(state, A, T0 + SECOND)).toBe(1);
    expect(state.applySupply("ben", B, false, T0 + 2 * SECOND, T0 + 2 * SECOND)).toBe("applied");
    expect([supplyOf(state, A, T0 + 2 * SECOND), supplyOf(state, B, T0 + 2 * SECOND)]).toEqual([0, 0]);
  });

  test("an older event for a driver, arriving late, does not override a newer one", () => {
    const state = zone();
    state.applySupply("ana", B, false, T0 + 10 * SECOND, T0 + 10 * SECOND);
    // Sent at T0 + 4 s (available, in A), delivered at T0 + 11 s.
    expect(state.applySupply("ana", A, true, T0 + 4 * SECOND, T0 + 11 * SECOND)).toBe("stale");
    expect([supplyOf(state, A, T0 + 11 * SECOND), supplyOf(state, B, T0 + 11 * SECOND)]).toEqual([0, 0]);
    expect(state.drivers.get("ana")).toEqual({ cell: B, available: false, at: T0 + 10 * SECOND });
  });

  test("drivers not seen within supplyWindowSeconds stop counting, and are forgotten", () => {
    const state = zone();
    const window = DEFAULTS.supplyWindowSeconds * SECOND;
    state.applySupply("ana", A, true, T0, T0);
    expect(supplyOf(state, A, T0 + window)).toBe(1);
    expect(supplyOf(state, A, T0 + window + 1)).toBe(0);
    expect(state.drivers.has("ana")).toBe(false);
    // An event already older than the window is not applied at all.
    expect(state.applySupply("ben", A, true, T0, T0 + window + 1)).toBe("stale");
    expect(state.drivers.has("ben")).toBe(false);
  });

  test("a driver who keeps pinging keeps counting", () => {
    const state = zone();
    const window = DEFAULTS.supplyWindowSeconds * SECOND;
    for (let t = 0; t <= 5 * window; t += 30 * SECOND) state.applySupply("ana", A, true, T0 + t, T0 + t);
    expect(supplyOf(state, A, T0 + 5 * window + 10 * SECOND)).toBe(1);
  });

  test("memory stays bounded: 50,000 drivers over ~30 minutes leave only those seen within the window", () => {
    const s = DEFAULTS;
    const window = s.supplyWindowSeconds * SECOND;
    const state = zone(s);
    const lastSeen = new Map<string, { at: number; available: boolean }>();
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let fed = 0;
    let maxSize = 0;
    for (let second = 0; fed < 50_000; second++) {
      const now = T0 + second * SECOND;
      for (let i = 0; i < 28 && fed < 50_000; i++) {
        const id = `night-${fed++}`;
        const at = now - Math.floor(rand() * 3 * SECOND);
        const cell = OWN_LIST[Math.floor(rand() * OWN_LIST.length)] ?? TIMES_SQUARE;
        const available = rand() < 0.8;
        if (state.applySupply(id, cell, available, at, now) === "applied") lastSeen.set(id, { at, available });
      }
      state.tick(now);
      // The drivers seen within the window, by our own log of what was fed.
      for (const [id, d] of lastSeen) if (d.at < now - window) lastSeen.delete(id);
      expect(state.drivers.size).toBeLessThanOrEqual(lastSeen.size);
      maxSize = Math.max(maxSize, state.drivers.size);
      if (second % 97 === 0) {
        const counted = OWN_LIST.reduce((n, c) => n + state.reading(c, now).supply, 0);
        expect(counted).toBe([...lastSeen.values()].filter((d) => d.available).length);
      }
    }
    expect(fed).toBe(50_000);
    expect(maxSize).toBeLessThanOrEqual(28 * (s.supplyWindowSeconds + 4));
  });
});

describe("demand", () => {
  const A = TIMES_SQUARE;

  test("a request weighs 1 and halves every half-life", () => {
    const state = zone();
    request(state, A, 8, T0);
    expect(state.demandAt(A, T0)).toBe(8);
    expect(state.demandAt(A, T0 + DEFAULTS.demandHalfLifeSeconds * SECOND)).toBeCloseTo(4, 9);
    // A later request adds to the decayed total.
    request(state, A, 1, T0 + DEFAULTS.demandHalfLifeSeconds * SECOND);
    expect(state.demandAt(A, T0 + DEFAULTS.demandHalfLifeSeconds * SECOND)).toBeCloseTo(5, 9);
  });

  test("an event stamped in the future (clock skew) counts once, not more", () => {
    const state = zone();
    expect(state.applyDemand(A, 1, T0 + 30 * SECOND, T0)).toBe("applied");
    expect(state.demandAt(A, T0)).toBe(1);
  });

  test("demand events older than the live horizon are stale and change nothing", () => {
    const state = zone();
    const horizon = liveHorizonMs(DEFAULTS);
    for (let i = 0; i < 500; i++) expect(state.applyDemand(A, 1, T0 - horizon - 1 - i, T0)).toBe("stale");
    expect(state.cells.size).toBe(0);
    expect(state.demandAt(A, T0)).toBe(0);
    expect(state.tick(T0)).toEqual({ changes: [], updated: [], active: false });
    expect(shown(state, A, T0)).toBe(10);
    // Just inside the horizon an event still counts, at a small weight.
    expect(state.applyDemand(A, 1, T0 - horizon, T0)).toBe("applied");
    expect(state.demandAt(A, T0)).toBeGreaterThan(0);
    expect(state.demandAt(A, T0)).toBeLessThanOrEqual(1 / 64 + 1e-12);
  });
});

describe("a rider counts once per cell per half-life", () => {
  test("even when a crowd turns the riders' memory over in between (it holds at least MAX_RIDERS / 2)", () => {
    const state = zone();
    expect(state.applyDemand(TIMES_SQUARE, 1, T0, T0, "ana")).toBe("applied");
    // A crowd that fills the memory's current generation, so it turns over.
    for (let i = 0; i < MAX_RIDERS / 2; i++) state.applyDemand(HOT[1], 1, T0 + 1_000, T0 + 1_000, `rider-${i}`);
    expect(state.applyDemand(TIMES_SQUARE, 1, T0 + 170 * SECOND, T0 + 170 * SECOND, "ana")).toBe("repeat");
    // A half-life later she counts again.
    const later = T0 + (DEFAULTS.demandHalfLifeSeconds + 1) * SECOND;
    expect(state.applyDemand(TIMES_SQUARE, 1, later, later, "ana")).toBe("applied");
  });
});

describe("tick change records", () => {
  test("seq rises by exactly 1 per shown change per cell, and changes list only cells whose shown value changed", () => {
    const state = zone();
    const seen = new Map<string, number[]>();
    request(state, HOT[0], 20, T0);
    request(state, HOT[1], 6, T0);
    let now = T0;
    const tickAndLog = () => {
      now += DEFAULTS.updateIntervalMs;
      const { changes } = tickChecked(state, now);
      for (const ch of changes) seen.set(ch.cell, [...(seen.get(ch.cell) ?? []), ch.seq]);
    };
    for (let i = 0; i < 40; i++) tickAndLog();
    request(state, HOT[2], 15, now);
    for (let i = 0; i < 40; i++) tickAndLog();
    for (let i = 0; i < 3000; i++) tickAndLog();
    expect(seen.size).toBeGreaterThan(3);
    for (const [cell, seqs] of seen) {
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(state.reading(cell, now).seq).toBe(seqs.length);
    }
    for (const c of FAR) expect(seen.has(c)).toBe(false);
  });

  test("whatever the events, every tick keeps the records and the caps consistent", () => {
    const settingsArb = fc
      .record({
        cap: fc.oneof(fc.constant(3), fc.double({ min: 1, max: 10, noNaN: true })),
        minDemand: fc.double({ min: 0, max: 10, noNaN: true }),
        priorWeight: fc.double({ min: 0, max: 5, noNaN: true }),
        smoothing: fc.double({ min: 0.05, max: 1, noNaN: true }),
        displayHysteresis: fc.double({ min: 0, max: 0.05, noNaN: true }),
        neighbourRings: fc.integer({ min: 0, max: 3 }),
        neighbourWeight: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .map((s) => SurgeSettingsSchema.parse(s));
    const cellArb = fc.constantFrom(...HOT, ...NEAR.slice(0, 3), OWN_LIST[0] ?? TIMES_SQUARE);
    const eventArb = fc.oneof(
      fc.record({ kind: fc.constant("demand" as const), cell: cellArb, n: fc.integer({ min: 1, max: 30 }) }),
      fc.record({
        kind: fc.constant("supply" as const),
        cell: cellArb,
        driver: fc.integer({ min: 0, max: 20 }),
        available: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("tick" as const), gap: fc.integer({ min: 1, max: 10 }) }),
    );
    fc.assert(
      fc.property(
        settingsArb,
        fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: undefined }),
        fc.array(eventArb, { maxLength: 30 }),
        (s, emergency, events) => {
          const state = zone(s, emergency);
          let now = T0;
          for (const e of events) {
            if (e.kind === "demand") request(state, e.cell, e.n, now);
            else if (e.kind === "supply") state.applySupply(`d${e.driver}`, e.cell, e.available, now, now);
            else
              for (let i = 0; i < e.gap; i++) {
                now += s.updateIntervalMs;
                tickChecked(state, now);
              }
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("halo: border cells of the neighbouring zone", () => {
  test("a crowd just over the zone border lifts Times Square while the halo is fresh, and is ignored once it expires", () => {
    const state = zone();
    expect(OWN.has(OUTSIDE)).toBe(false);
    state.setHalo([{ cell: OUTSIDE, supply: 0, demand: 40 }], T0);
    expect(state.balanceOf(OUTSIDE, T0 + HALO_TTL_MS)).toMatchObject({ supply: 0, demand: 40 });

    let now = T0;
    for (let i = 1; i <= 10; i++) {
      now = T0 + i * DEFAULTS.updateIntervalMs;
      tickChecked(state, now);
    }
    const lifted = state.reading(TIMES_SQUARE, now);
    expect(lifted.shownTenths).toBeGreaterThan(10);
    expect(lifted.demand).toBe(0);
    expect(lifted.explanation.pooled.demand).toBeGreaterThan(0);
    for (const c of FAR) expect(shown(state, c, now)).toBe(10);

    // The neighbour zone stops reporting: after HALO_TTL_MS its numbers are no longer trusted.
    const stale = T0 + HALO_TTL_MS + 1;
    expect(state.balanceOf(OUTSIDE, stale)).toBeUndefined();
    now = stale;
    let result = tickChecked(state, now);
    expect(state.halo.has(OUTSIDE)).toBe(false);
    expect(state.reading(TIMES_SQUARE, now).explanation.pooled.demand).toBe(0);
    for (let i = 0; i < 200 && result.active; i++) {
      now += DEFAULTS.updateIntervalMs;
      result = tickChecked(state, now);
    }
    expect(result.active).toBe(false);
    expect(shown(state, TIMES_SQUARE, now)).toBe(10);
  });

  test("a refreshed halo keeps counting past the first TTL", () => {
    const state = zone();
    state.setHalo([{ cell: OUTSIDE, supply: 0, demand: 40 }], T0);
    state.setHalo([{ cell: OUTSIDE, supply: 0, demand: 40 }], T0 + HALO_TTL_MS);
    const now = T0 + HALO_TTL_MS + 5 * SECOND;
    tickChecked(state, now);
    expect(state.reading(TIMES_SQUARE, now).explanation.pooled.demand).toBeGreaterThan(0);
  });

  test("a neighbour zone's report cannot overwrite one of our own cells", () => {
    const state = zone();
    state.setHalo([{ cell: TIMES_SQUARE, supply: 0, demand: 500 }], T0);
    expect(state.balanceOf(TIMES_SQUARE, T0)).toEqual({ supply: 0, demand: 0 });
    for (let i = 0; i < 10; i++) tickChecked(state, T0 + i * DEFAULTS.updateIntervalMs);
    expect(shown(state, TIMES_SQUARE, T0 + 9 * DEFAULTS.updateIntervalMs)).toBe(10);
  });

  test("with no neighbour rings the halo has no effect", () => {
    const settings = SurgeSettingsSchema.parse({ neighbourRings: 0 });
    const state = zone(settings);
    state.setHalo([{ cell: OUTSIDE, supply: 0, demand: 400 }], T0);
    for (let i = 0; i < 10; i++) expect(state.tick(T0 + i * settings.updateIntervalMs).changes).toEqual([]);
    expect(shown(state, TIMES_SQUARE, T0 + 9 * settings.updateIntervalMs)).toBe(10);
  });
});

describe("space: a hot cell lifts its neighbours by ring distance", () => {
  test("the same crowd lifts a cell more from one step away than from two, and not at all from beyond the rings", () => {
    const settings = SurgeSettingsSchema.parse({ neighbourRings: 2 });
    const target = TIMES_SQUARE;
    const ring1 = gridDisk(target, 1).find((c) => OWN.has(c) && gridDistance(c, target) === 1);
    const ring2 = gridDisk(target, 2).find((c) => OWN.has(c) && gridDistance(c, target) === 2);
    const ring3 = gridDisk(target, 3).find((c) => OWN.has(c) && gridDistance(c, target) === 3);
    if (!ring1 || !ring2 || !ring3) throw new Error("rings around Times Square not in the zone");
    // Six drivers wait at Times Square; a crowd of 60 builds up one, two or three steps away.
    const settled = (crowdAt: string) => {
      const state = zone(settings);
      drivers(state, target, 6, T0);
      let now = T0;
      const tick = () => {
        now += settings.updateIntervalMs;
        state.tick(now);
      };
      for (let i = 0; i < 10; i++) {
        request(state, crowdAt, 6, now);
        for (let j = 0; j < 5; j++) tick();
      }
      for (let j = 0; j < 30; j++) tick();
      return state.reading(target, now);
    };
    const one = settled(ring1);
    const two = settled(ring2);
    const three = settled(ring3);
    expect(one.shownTenths).toBeGreaterThan(10);
    expect(two.shownTenths).toBeGreaterThan(10);
    expect(one.shownTenths).toBeGreaterThan(two.shownTenths);
    expect(one.explanation.target).toBeGreaterThan(two.explanation.target);
    expect(three.shownTenths).toBe(10);
  });
});

describe("an operator's emergency cap on some cells", () => {
  test("caps only the listed cells, within one tick; lifting it lets them rise again", () => {
    const state = zone();
    let now = T0;
    for (const c of HOT) state.applySupply(`d-${c}`, c, true, now, now);
    for (const c of HOT) for (let i = 0; i < 60; i++) state.applyDemand(c, 1, now, now);
    for (let i = 1; i <= 20; i++) {
      now = T0 + i * DEFAULTS.updateIntervalMs;
      state.tick(now);
    }
    const [capped, free] = HOT as unknown as [string, string];
    expect(shown(state, capped, now)).toBeGreaterThan(10);
    expect(shown(state, free, now)).toBeGreaterThan(10);
    state.cellCaps.set(capped, 1);
    now += DEFAULTS.updateIntervalMs;
    state.tick(now);
    expect(shown(state, capped, now)).toBe(10);
    expect(state.reading(capped, now).explanation.capApplied).toBe("emergency");
    expect(shown(state, free, now)).toBeGreaterThan(10);
    state.cellCaps.clear();
    for (let i = 0; i < 10; i++) {
      now += DEFAULTS.updateIntervalMs;
      state.tick(now);
    }
    expect(shown(state, capped, now)).toBeGreaterThan(10);
  });
});

describe("a full zone: at most MAX_DRIVERS drivers", () => {
  test("a report past the limit forgets the driver with the oldest report, its count with it; one who reported since is kept", () => {
    const state = zone();
    const [a, b] = [TIMES_SQUARE, FAR[0] as string];
    const now = T0 + 2 * SECOND;
    // The first two drivers report first (the oldest stamps); the first reports again later.
    expect(state.applySupply("first", a, true, T0, now)).toBe("applied");
    expect(state.applySupply("second", b, true, T0 + 1, now)).toBe("applied");
    for (let i = 2; i < MAX_DRIVERS; i++)
      state.applySupply(`drv-full-${i}`, i % 2 ? a : b, true, T0 + 2 + Math.floor(i / 1000), now);
    expect(state.applySupply("first", a, true, T0 + SECOND, now)).toBe("applied");
    expect(state.drivers.size).toBe(MAX_DRIVERS);
    const before = [state.reading(a, now).supply, state.reading(b, now).supply];

    expect(state.applySupply("newcomer", a, true, now, now)).toBe("applied");
    expect(state.drivers.size).toBe(MAX_DRIVERS);
    expect(state.drivers.has("second")).toBe(false);
    expect(state.drivers.has("first")).toBe(true);
    expect(state.drivers.has("newcomer")).toBe(true);
    expect([state.reading(a, now).supply, state.reading(b, now).supply]).toEqual([
      (before[0] as number) + 1,
      (before[1] as number) - 1,
    ]);

    // Then the next oldest, report after report, each forgetting exactly one.
    for (let i = 0; i < 1000; i++) state.applySupply(`later-${i}`, a, true, now, now);
    expect(state.drivers.size).toBe(MAX_DRIVERS);
    expect(state.drivers.has("drv-full-2")).toBe(false);
    expect(state.drivers.has("first")).toBe(true);

    // Stamps, not arrival, tell the stalest: a report that arrives last with the oldest stamp goes first.
    expect(state.applySupply("late", b, true, T0 + 2, now)).toBe("applied");
    expect(state.drivers.has("late")).toBe(false);
    expect(state.drivers.size).toBe(MAX_DRIVERS);
  });
});
