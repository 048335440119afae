/** @jsxImportSource preact */
import type { Explanation } from "./api";
import { useWords } from "./i18n";

/**
 * What made a multiplier, in the order the surge curve works (README, "The surge curve"):
 * own and pooled counts, the ratio, the curve and cap, smoothing in time, the shown value.
 */
export function ExplanationList({ explanation: e }: { explanation: Explanation }) {
  const { t, n } = useWords();
  return (
    <dl class="explanation">
      <dt>{t("console.explain.cell")}</dt>
      <dd>{t("console.explain.counts", { supply: n(e.supply, 0), demand: n(e.demand) })}</dd>
      <dt>{t("console.explain.pooled")}</dt>
      <dd>
        {t("console.explain.pooled-counts", { supply: n(e.pooled.supply), demand: n(e.pooled.demand), cells: e.pooled.cells })}
      </dd>
      <dt>{t("console.explain.ratio")}</dt>
      <dd>{e.thinData ? t("console.explain.thin", { ratio: n(e.ratio, 2) }) : n(e.ratio, 2)}</dd>
      <dt>{t("console.explain.curve")}</dt>
      <dd>
        {t("console.explain.curve-detail", {
          curve: n(e.curve, 2),
          target: n(e.target, 2),
          capApplied: e.capApplied ?? "none",
          cap: n(e.cap),
        })}
      </dd>
      <dt>{t("console.explain.smoothing")}</dt>
      <dd>
        {t("console.explain.smoothing-detail", {
          previous: n(e.previous, 2),
          smoothed: n(e.smoothed, 2),
          limited: String(e.stepLimited),
        })}
      </dd>
      <dt>{t("console.explain.shown")}</dt>
      <dd>
        <strong>{n(e.shown)}×</strong>
      </dd>
    </dl>
  );
}
