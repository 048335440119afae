/** @jsxImportSource preact */
import type { Explanation } from "./api";

/**
 * What made a multiplier, in the order the surge curve works (README, "The surge curve"):
 * own and pooled counts, the ratio, the curve and cap, smoothing in time, the shown value.
 */
export function ExplanationList({ explanation: e }: { explanation: Explanation }) {
  const n = (x: number, digits = 1) => x.toFixed(digits);
  const capNote =
    e.capApplied === "emergency"
      ? "operator's emergency cap applied"
      : e.capApplied === "market"
        ? "cap applied"
        : "under the cap";
  return (
    <dl class="explanation">
      <dt>This cell</dt>
      <dd>
        supply {n(e.supply, 0)}, demand {n(e.demand)}
      </dd>
      <dt>Pooled</dt>
      <dd>
        supply {n(e.pooled.supply)}, demand {n(e.pooled.demand)} over {e.pooled.cells} {e.pooled.cells === 1 ? "cell" : "cells"}
      </dd>
      <dt>Ratio</dt>
      <dd>{e.thinData ? `${n(e.ratio, 2)}: demand too thin to trust, held at 1.0` : n(e.ratio, 2)}</dd>
      <dt>Curve</dt>
      <dd>
        {n(e.curve, 2)} → target {n(e.target, 2)} ({capNote}, cap {n(e.cap)})
      </dd>
      <dt>Smoothing</dt>
      <dd>
        {n(e.previous, 2)} → {n(e.smoothed, 2)}
        {e.stepLimited ? " (step limited)" : ""}
      </dd>
      <dt>Shown</dt>
      <dd>
        <strong>{n(e.shown)}×</strong>
      </dd>
    </dl>
  );
}
