import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cellToChildren, cellToParent, latLngToCell } from "h3-js";
import {
  assign,
  inBurnIn,
  keyedHash,
  labelAt,
  pickVariant,
  type StoredExperiment,
  statusAt,
  unitOf,
  windowAt,
  zoneInputs,
} from "../shared/experiments/assignment";
import { storedExperiment } from "./support/experiment";

/**
 * Assignment of a switchback: every (unit, window) draws its variant from a keyed hash, so the
 * same question always gets the same answer, anywhere; over many units and windows the variants
 * come out in the proportions of their weights; and neighbouring windows and units draw
 * independently of each other.
 */

const T0 = Date.UTC(2026, 11, 1, 18);
const TIMES_SQUARE = latLngToCell(40.758, -73.9855, 8);

function experiment(patch: Partial<StoredExperiment> = {}): StoredExperiment {
  return storedExperiment({}, patch);
}

/** Units of Manhattan and around: the resolution-6 cells near Times Square. */
const UNITS = cellToChildren(cellToParent(TIMES_SQUARE, 3), 6);

describe("a switchback's assignment", () => {
  test("is deterministic: the same experiment, unit and window give the same variant, whoever asks", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.constantFrom(...UNITS),
        fc.integer({ min: 0, max: 10_000 }),
        (salt, unit, window) => {
          const e = experiment({ salt });
          const again = experiment({ salt, name: "renamed", updatedAt: new Date().toISOString() });
          expect(assign(e, unit, window)).toBe(assign(again, unit, window));
          expect(keyedHash(salt, e.id, unit, window)).toBe(keyedHash(salt, e.id, unit, window));
        },
      ),
    );
  });

  test("is balanced to the weights over many units and windows (each share within 5 standard errors)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 2, maxLength: 5 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        (weights, salt) => {
          const variants = weights.map((weight, i) => ({ id: `v${i}`, weight }));
          const e = experiment({ salt, variants });
          const counts = new Map<string, number>();
          let n = 0;
          for (const unit of UNITS.slice(0, 100))
            for (let window = 0; window < 100; window++) {
              const v = assign(e, unit, window);
              counts.set(v, (counts.get(v) ?? 0) + 1);
              n++;
            }
          const total = weights.reduce((a, b) => a + b, 0);
          for (const v of variants) {
            const p = v.weight / total;
            const share = (counts.get(v.id) ?? 0) / n;
            expect(Math.abs(share - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test("draws each window afresh: a unit's variant in one window says nothing of the next", () => {
    const e = experiment();
    // Over many units, how often the next window repeats the variant: 1/2 for two equal arms.
    let same = 0;
    let pairs = 0;
    for (const unit of UNITS)
      for (let w = 0; w < 40; w++) {
        if (assign(e, unit, w) === assign(e, unit, w + 1)) same++;
        pairs++;
      }
    expect(Math.abs(same / pairs - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / pairs));
  });

  test("another salt is another draw: re-running an experiment re-randomises it", () => {
    const a = experiment({ salt: "a" });
    const b = experiment({ salt: "b" });
    const differ = UNITS.filter((u) => assign(a, u, 3) !== assign(b, u, 3)).length;
    expect(differ / UNITS.length).toBeGreaterThan(0.3);
    expect(differ / UNITS.length).toBeLessThan(0.7);
  });

  test("maps a uniform draw onto the weights laid end to end", () => {
    const variants = [
      { id: "a", weight: 1 },
      { id: "b", weight: 3 },
    ];
    expect(pickVariant(variants, 0)).toBe("a");
    expect(pickVariant(variants, 0.2499)).toBe("a");
    expect(pickVariant(variants, 0.25)).toBe("b");
    expect(pickVariant(variants, 0.999999)).toBe("b");
  });
});

describe("windows and units", () => {
  test("windows count from the minute the experiment starts; the burn-in opens each of them", () => {
    const e = experiment({ from: new Date(T0 + 17_000).toISOString() }); // 18:00:17 → windows from 18:00
    expect(windowAt(e, T0 - 1)).toBeUndefined();
    const first = windowAt(e, T0 + 29 * 60_000);
    expect(first).toEqual({ index: 0, start: T0, end: T0 + 30 * 60_000 });
    const second = windowAt(e, T0 + 30 * 60_000);
    expect(second?.index).toBe(1);
    expect(inBurnIn(e, second as NonNullable<typeof second>, T0 + 34 * 60_000)).toBe(true);
    expect(inBurnIn(e, second as NonNullable<typeof second>, T0 + 35 * 60_000)).toBe(false);
    expect(windowAt(e, Date.parse(e.to))).toBeUndefined();
  });

  test("a rider keeps one variant for the whole run; a pricing cell is in its parent unit", () => {
    const e = experiment({ design: "rider" });
    const early = labelAt(e, { rider: "ana" }, T0 + 60_000);
    const late = labelAt(e, { rider: "ana" }, T0 + 6 * 86_400_000);
    expect(early?.variant).toBe(late?.variant as string);
    expect(early?.window).toBe(0);
    expect(unitOf(TIMES_SQUARE, 6)).toBe(cellToParent(TIMES_SQUARE, 6));
    expect(unitOf(TIMES_SQUARE, 8)).toBe(TIMES_SQUARE);
  });

  test("an experiment is scheduled, running, ended or stopped by its span and its stop", () => {
    const e = experiment();
    expect(statusAt(e, T0 - 1)).toBe("scheduled");
    expect(statusAt(e, T0)).toBe("running");
    expect(statusAt(e, Date.parse(e.to))).toBe("ended");
    expect(statusAt({ ...e, stoppedAt: new Date(T0).toISOString() }, T0 + 1)).toBe("stopped");
  });
});

describe("what a zone is told", () => {
  const cells = cellToChildren(cellToParent(TIMES_SQUARE, 6), 8);

  test("live: each cell gets its unit's variant settings and the label, until the window ends", () => {
    const e = experiment();
    const now = T0 + 45 * 60_000;
    const inputs = zoneInputs(e, cells, now);
    expect(inputs?.until).toBe(T0 + 60 * 60_000);
    const label = labelAt(e, { cell: TIMES_SQUARE }, now);
    const own = inputs?.cells?.[TIMES_SQUARE];
    expect(own?.experiment).toEqual(label as NonNullable<typeof label>);
    expect(own?.settings).toEqual(label?.variant === "gentle" ? { sensitivity: 0.3 } : undefined);
    // Every cell of one unit is in the same arm.
    expect(new Set(Object.values(inputs?.cells ?? {}).map((c) => c.experiment?.variant)).size).toBe(1);
  });

  test("shadow: no cell's settings change; every variant is listed to be priced beside the market's", () => {
    const inputs = zoneInputs(experiment({ mode: "shadow" }), cells, T0 + 60_000);
    const own = inputs?.cells?.[TIMES_SQUARE];
    expect(own?.settings).toBeUndefined();
    expect(own?.shadow?.map((v) => v.id)).toEqual(["control", "gentle"]);
  });

  test("nothing outside the span, after a stop, or for a rider design", () => {
    expect(zoneInputs(experiment(), cells, T0 - 60_000)).toBeUndefined();
    expect(zoneInputs(experiment({ stoppedAt: new Date(T0).toISOString() }), cells, T0 + 60_000)).toBeUndefined();
    expect(
      zoneInputs(
        experiment({ design: "rider", variants: experiment().variants.map(({ surge: _, ...v }) => v) }),
        cells,
        T0 + 60_000,
      ),
    ).toBeUndefined();
  });
});
