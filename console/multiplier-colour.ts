/**
 * Colours for multipliers, relative to the market's cap: 1.0 is a quiet grey-blue so that the
 * eye goes to surging cells, which run from amber through red to a deep violet at the cap.
 * Stops are readable on white and for the common red–green colour deficiencies (lightness
 * falls steadily along the ramp).
 */

export const CALM = "#e6ecf2";
const RAMP: ReadonlyArray<readonly [number, readonly [number, number, number]]> = [
  [0, [254, 230, 138]],
  [0.25, [251, 168, 72]],
  [0.55, [232, 72, 60]],
  [0.8, [176, 32, 96]],
  [1, [88, 24, 120]],
];

export function multiplierColour(multiplier: number, cap: number): string {
  if (multiplier <= 1) return CALM;
  const t = Math.min(1, (multiplier - 1) / Math.max(0.1, cap - 1));
  for (let i = 1; i < RAMP.length; i++) {
    const [t1, c1] = RAMP[i] ?? [1, [0, 0, 0]];
    if (t > t1) continue;
    const [t0, c0] = RAMP[i - 1] ?? [0, c1];
    const f = (t - t0) / (t1 - t0);
    const mix = (k: 0 | 1 | 2) => Math.round(c0[k] + (c1[k] - c0[k]) * f);
    return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
  }
  return "rgb(88,24,120)";
}

/** Dark ink on light fills, white on dark ones. */
export function inkOn(multiplier: number, cap: number): string {
  return multiplier > 1 && (multiplier - 1) / Math.max(0.1, cap - 1) > 0.5 ? "#fff" : "#1f2933";
}

/** A CSS gradient of the ramp, for the legend. */
export function rampGradient(): string {
  return `linear-gradient(90deg, ${RAMP.map(([t, [r, g, b]]) => `rgb(${r},${g},${b}) ${t * 100}%`).join(", ")})`;
}
