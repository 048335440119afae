import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getResolution } from "h3-js";
import { GARDEN } from "../harness/fixtures";
import { calendarFeatures, entryCells } from "../shared/forecast/calendar";
import { checkRows, csvRows, toCsv } from "../shared/forecast/history";
import type { FittedModel, ModelSpec } from "../shared/forecast/model";
import { type Panel, panelFromRows, periods, poolSparse } from "../shared/forecast/panel";
import { syntheticHistory } from "../shared/forecast/synthetic";
import { AHEAD_INTERVALS, gate, type ModelReport, train } from "../shared/forecast/train";
import { geofenceCells } from "../shared/pricing/zoning";

/**
 * Forecasts that must earn their place: on eight weeks of synthetic Manhattan (weekly and daily
 * seasons, a trend, two holidays, matches and concerts at the Garden, Poisson noise) with the
 * last two held out, a model is promoted only if it beats seasonal naive at 15, 30 and 60
 * minutes; a model that loses never is, and then seasonal naive serves.
 */

const market = JSON.parse(readFileSync(resolve(import.meta.dir, "../db/seed/markets/nyc-manhattan.json"), "utf8"));
const CELLS = geofenceCells(market.geofence, 8);
const START = Date.UTC(2026, 8, 28, 4); // a Monday, local midnight (UTC−4)
const WEEK = 7 * 86_400_000;

function synthetic(weeks: number, seed = 7) {
  const h = syntheticHistory({ cells: CELLS, start: START, weeks, seed, utcOffsetMinutes: -240, venue: GARDEN });
  const panel = panelFromRows(h.rows, CELLS, START, START + weeks * WEEK, 15, 0.3);
  const calendar = calendarFeatures(h.calendar, CELLS, START, panel.steps + AHEAD_INTERVALS, 15);
  return { ...h, panel, calendar };
}

const eight = synthetic(8);
const outcome = train(eight.panel, { calendar: eight.calendar });

describe("synthetic history", () => {
  test("one seed, one history; another seed, another", () => {
    const again = syntheticHistory({ cells: CELLS.slice(0, 5), start: START, weeks: 1, seed: 7 });
    const same = syntheticHistory({ cells: CELLS.slice(0, 5), start: START, weeks: 1, seed: 7 });
    const other = syntheticHistory({ cells: CELLS.slice(0, 5), start: START, weeks: 1, seed: 8 });
    expect(same.rows).toEqual(again.rows);
    expect(other.rows).not.toEqual(again.rows);
  });

  test("weekly and daily seasons, a trend, holidays and let-outs are in it", () => {
    const { panel, calendar } = eight;
    const { day, week } = periods(15);
    const total = (from: number, to: number) => {
      let s = 0;
      for (const series of panel.demand) for (let t = from; t < to; t++) s += series[t] as number;
      return s;
    };
    // Mornings (8–9) beat nights (3–4) every weekday of the first week.
    for (let d = 0; d < 5; d++) expect(total(d * day + 32, d * day + 36)).toBeGreaterThan(3 * total(d * day + 12, d * day + 16));
    // Later weeks are busier (2 % a week, compounded) — weeks 1 and 6 compared, both holiday-free.
    expect(total(6 * week, 7 * week) - total(week, 2 * week)).toBeGreaterThan(0);
    const holidays = eight.calendar.holiday;
    const holidayDay = holidays.indexOf(1);
    expect(holidayDay).toBeGreaterThan(0);
    // A holiday is quieter than the same weekday the week before.
    expect(total(holidayDay, holidayDay + day)).toBeLessThan(0.9 * total(holidayDay - week, holidayDay - week + day));
    // Let-outs at the Garden: the venue's cells are far busier in the hour after than a week before.
    const [venueCell, f] = [...calendar.cells.entries()][0] as [string, { letOut: Float32Array }];
    const series = panel.demand[CELLS.indexOf(venueCell)] as Float32Array;
    let during = 0;
    let usual = 0;
    f.letOut.forEach((v, t) => {
      if (v > 0 && t < panel.steps && t >= week && (f.letOut[t - week] ?? 0) === 0) {
        during += series[t] as number;
        usual += series[t - week] as number;
      }
    });
    expect(during).toBeGreaterThan(2 * usual);
  });

  test("CSV and JSON carry the same rows; a bad row rejects only itself", () => {
    const rows = syntheticHistory({ cells: CELLS.slice(0, 3), start: START, weeks: 1, seed: 1 }).rows.slice(0, 50);
    const parsed = csvRows(toCsv(rows));
    const checked = checkRows(parsed, (c) => CELLS.includes(c));
    expect(checked.rejections).toEqual([]);
    expect(checked.rows.length).toBe(rows.length);
    expect(checked.rows[7]).toEqual(rows[7] as (typeof rows)[number]);
    const bad = checkRows(
      [
        { cell: CELLS[0], at: "2026-10-01T08:00:30Z", searches: 1, requests: 1, supply: 1 },
        { cell: "8f2830828052d25", at: "2026-10-01T08:00:00Z", searches: 1, requests: 1, supply: 1 },
        { cell: CELLS[0], at: "2026-10-01T08:00:00Z", searches: -1, requests: 1, supply: 1 },
        { cell: CELLS[0], at: "2026-10-01T08:00:00Z", searches: 2, requests: 1, supply: 1 },
      ],
      (c) => CELLS.includes(c),
    );
    expect(bad.rejections.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(bad.rows.length).toBe(1);
  });
});

describe("models against seasonal naive", () => {
  test("the backtest holds out the final two weeks and scores every model at 15, 30 and 60 minutes", () => {
    expect(outcome.heldOutWeeks).toBe(2);
    expect(outcome.heldOutFrom).toBe(START + 6 * WEEK);
    expect(outcome.models.map((m) => m.kind)).toEqual(["seasonal-naive-1w", "seasonal-naive-4w", "holt-winters", "regression"]);
    for (const m of outcome.models) for (const h of ["15", "30", "60"]) expect(m.horizons[h]?.wape).toBeGreaterThan(0);
  });

  test("the promoted model beats seasonal naive at every horizon", () => {
    expect(outcome.promoted).toBe(true);
    const live = outcome.models.find((m) => m.kind === outcome.live) as ModelReport;
    expect(["holt-winters", "regression"]).toContain(live.kind);
    for (const h of ["15", "30", "60"]) {
      const naive = Math.min(...outcome.models.filter((m) => m.kind.startsWith("seasonal")).map((m) => m.horizons[h]?.wape ?? 1));
      expect(live.horizons[h]?.wape).toBeLessThan(naive);
      expect(outcome.seasonalNaive[h]).toBe(naive);
    }
  });

  test("the calendar-aware regression foresees a let-out that seasonal naive cannot", () => {
    // Every let-out hour held out, at the venue's cells, forecast an hour ahead.
    const f = [...eight.calendar.cells.values()][0]?.letOut as Float32Array;
    const trainEnd = eight.panel.steps - 2 * periods(15).week;
    const letOutWape = (model: FittedModel) => {
      let err = 0;
      let actual = 0;
      model.replay(trainEnd, eight.panel.steps, [4], (ui, t, _, v) => {
        if ((f[t] ?? 0) === 0) return;
        const u = model.units[ui];
        u?.cells.forEach((ci, k) => {
          if (!eight.calendar.cells.has(CELLS[ci] as string)) return;
          const y = (eight.panel.demand[ci] as Float32Array)[t] as number;
          err += Math.abs(y - v * (u.shares[k] as number));
          actual += y;
        });
      });
      return err / actual;
    };
    const ctx = { panel: eight.panel, trainEnd, calendar: eight.calendar, ahead: AHEAD_INTERVALS, poolBelow: 0.5 };
    const { regression } = require("../shared/forecast/regression") as typeof import("../shared/forecast/regression");
    const { seasonalNaive } = require("../shared/forecast/seasonal-naive") as typeof import("../shared/forecast/seasonal-naive");
    expect(letOutWape(regression().fit(ctx))).toBeLessThan(0.6 * letOutWape(seasonalNaive(4).fit(ctx)));
  });

  test("sparse cells are pooled to their parent cell; busy cells stand alone", () => {
    const units = poolSparse(eight.panel, eight.panel.steps, 0.5);
    const pooled = units.filter((u) => u.cells.length > 1);
    const alone = units.filter((u) => u.cells.length === 1);
    expect(pooled.length).toBeGreaterThan(0);
    expect(alone.length).toBeGreaterThan(0);
    for (const u of pooled) {
      expect(getResolution(u.key)).toBeLessThan(8);
      expect(u.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    expect(units.flatMap((u) => u.cells).sort((a, b) => a - b)).toEqual(CELLS.map((_, i) => i));
  });

  test("forecasts after the history's end: every cell, four hours, a band around each value", () => {
    const f = outcome.forecast;
    expect(f.from).toBe(START + 8 * WEEK);
    expect(f.cells.length).toBe(CELLS.length);
    for (let i = 0; i < CELLS.length; i++)
      for (let k = 0; k < AHEAD_INTERVALS; k++) {
        const v = f.demand[i]?.[k] as number;
        expect(v).toBeGreaterThanOrEqual(0);
        expect(f.low[i]?.[k]).toBeLessThanOrEqual(v);
        expect(f.high[i]?.[k]).toBeGreaterThanOrEqual(v);
      }
  });
});

describe("the promotion gate", () => {
  const report = (kind: ModelReport["kind"], wapes: [number, number, number]): ModelReport => ({
    kind,
    params: {},
    units: 1,
    horizons: {
      "15": { wape: wapes[0], dispersion: 1 },
      "30": { wape: wapes[1], dispersion: 1 },
      "60": { wape: wapes[2], dispersion: 1 },
    },
    meanWape: (wapes[0] + wapes[1] + wapes[2]) / 3,
    beatsSeasonalNaive: false,
  });

  test("a model better at every horizon is promoted; better on average but worse at one horizon is not", () => {
    const naive = [report("seasonal-naive-1w", [0.5, 0.5, 0.5]), report("seasonal-naive-4w", [0.4, 0.41, 0.42])];
    const everywhere = gate([...naive, report("holt-winters", [0.35, 0.38, 0.41])]);
    expect(everywhere).toMatchObject({ live: "holt-winters", promoted: true });
    const oneWorse = [...naive, report("regression", [0.2, 0.2, 0.43])];
    expect(gate(oneWorse)).toMatchObject({ live: "seasonal-naive-4w", promoted: false });
    expect(oneWorse[2]?.beatsSeasonalNaive).toBe(false);
    // A tie is not a win.
    expect(gate([...naive, report("regression", [0.4, 0.41, 0.42])]).promoted).toBe(false);
  });

  test("forced: a model that loses on the held-out weeks is never promoted, and seasonal naive serves", () => {
    // A model that forecasts each cell's training mean, whatever the hour: seasonal naive wins.
    const flat: ModelSpec = {
      kind: "holt-winters",
      fit: (ctx) => {
        const means = ctx.panel.demand.map((s) => s.slice(0, ctx.trainEnd).reduce((a, b) => a + b, 0) / ctx.trainEnd);
        const units = ctx.panel.cells.map((cell, i) => ({
          key: cell,
          cells: [i],
          shares: [1],
          series: ctx.panel.demand[i] as Float32Array,
          scale: means[i] as number,
        }));
        return {
          kind: "holt-winters",
          params: { flat: 1 },
          units,
          replay: (from, to, horizons, visit) => {
            units.forEach((_, ui) => {
              for (let t = from; t < to; t++) for (let h = 0; h < horizons.length; h++) visit(ui, t, h, means[ui] as number);
            });
          },
          ahead: (k) => means.map((m) => new Float64Array(k).fill(m)),
        };
      },
    };
    const lost = train(eight.panel, { calendar: eight.calendar, candidates: [flat] });
    expect(lost.promoted).toBe(false);
    expect(lost.live).toBe("seasonal-naive-4w");
    expect(lost.models.find((m) => m.kind === "holt-winters")?.beatsSeasonalNaive).toBe(false);
  });

  test("a market that repeats itself exactly every week leaves nothing to beat: seasonal naive serves", () => {
    const { week } = periods(15);
    const base = eight.panel;
    const repeating: Panel = {
      ...base,
      demand: base.demand.map((s) => Float32Array.from(s, (_, t) => s[t % week] as number)),
    };
    const out = train(repeating, { calendar: calendarFeatures([], CELLS, START, base.steps + AHEAD_INTERVALS, 15) });
    expect(out.seasonalNaive["15"]).toBe(0);
    expect(out.promoted).toBe(false);
    expect(out.live).toStartWith("seasonal-naive");
  });

  test("fewer than three weeks of history is refused", () => {
    expect(() => train(synthetic(2).panel, { calendar: eight.calendar })).toThrow(/at least 3 weeks/);
  });
});

describe("the calendar", () => {
  test("a place touches the cells within its radius; a holiday the whole market", () => {
    const near = entryCells({ id: "x", kind: "match", from: 0, to: 1, ...GARDEN, radiusKm: 0.8 }, CELLS);
    expect(near?.length).toBeGreaterThan(0);
    expect(near?.length).toBeLessThan(6);
    expect(entryCells({ id: "h", name: "Holiday", kind: "holiday", from: 0, to: 1 }, CELLS)).toBeNull();
  });
});
