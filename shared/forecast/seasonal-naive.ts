import type { FitContext, FittedModel, ModelKind, ModelSpec } from "./model";
import { cellUnits, periods, type Unit } from "./panel";

/**
 * Seasonal naive, the baseline every model must beat and the fallback that always serves: the
 * same slot last week, or the mean of the same slot over the last four weeks. It needs no
 * fitting and never learns: each cell on its own, whatever the horizon (up to a week).
 * @example seasonalNaive(4).fit(ctx).ahead(4) // per cell, the next hour from the last 4 weeks' same slots
 */
export function seasonalNaive(weeks: 1 | 4): ModelSpec {
  const kind: ModelKind = weeks === 1 ? "seasonal-naive-1w" : "seasonal-naive-4w";
  return {
    kind,
    fit(ctx: FitContext): FittedModel {
      const units = cellUnits(ctx.panel, ctx.trainEnd);
      const { week } = periods(ctx.panel.intervalMinutes);
      const steps = ctx.panel.steps;
      return {
        kind,
        params: { weeks },
        units,
        replay(from, to, horizons, visit) {
          units.forEach((u, ui) => {
            for (let t = Math.max(from, week); t < to; t++) {
              const v = sameSlot(u, t, week, weeks, steps);
              for (let h = 0; h < horizons.length; h++) visit(ui, t, h, v);
            }
          });
        },
        ahead(k) {
          return units.map((u) => Float64Array.from({ length: k }, (_, i) => sameSlot(u, steps + i, week, weeks, steps)));
        },
      };
    },
  };
}

/** Mean of the same slot over the last `weeks` weeks that exist (and are before `known`). */
export function sameSlot(u: Unit, t: number, week: number, weeks: number, known: number): number {
  let total = 0;
  let n = 0;
  for (let k = 1; k <= weeks; k++) {
    const s = t - k * week;
    if (s < 0 || s >= known) continue;
    total += u.series[s] as number;
    n++;
  }
  return n > 0 ? total / n : 0;
}
