/**
 * Colours for multipliers, relative to the market's cap: 1.0 is a quiet grey-blue so that the
 * eye goes to surging cells, which run from amber through red to a deep violet at the cap.
 * Stops are readable on white and for the common red–green colour deficiencies (lightness
 * falls steadily along the ramp). The map's forecast layer draws on ramps of the same kind.
 */

export const CALM = "#e6ecf2";

/** Colour stops along 0..1. */
export type Ramp = ReadonlyArray<readonly [number, readonly [number, number, number]]>;

const RAMP: Ramp = [
  [0, [254, 230, 138]],
  [0.25, [251, 168, 72]],
  [0.55, [232, 72, 60]],
  [0.8, [176, 32, 96]],
  [1, [88, 24, 120]],
];

/** The colour at `t` (0..1) along a ramp. */
export function colourAt(ramp: Ramp, t: number): string {
  for (let i = 1; i < ramp.length; i++) {
    const [t1, c1] = ramp[i] ?? [1, [0, 0, 0]];
    if (t > t1) continue;
    const [t0, c0] = ramp[i - 1] ?? [0, c1];
    const f = (t - t0) / (t1 - t0);
    const mix = (k: 0 | 1 | 2) => Math.round(c0[k] + (c1[k] - c0[k]) * f);
    return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
  }
  const [, [r, g, b]] = ramp[ramp.length - 1] ?? [1, [0, 0, 0]];
  return `rgb(${r},${g},${b})`;
}

export function multiplierColour(multiplier: number, cap: number): string {
  if (multiplier <= 1) return CALM;
  return colourAt(RAMP, Math.min(1, (multiplier - 1) / Math.max(0.1, cap - 1)));
}

/** Dark ink on light fills, white on dark ones. */
export function inkOn(multiplier: number, cap: number): string {
  return multiplier > 1 && (multiplier - 1) / Math.max(0.1, cap - 1) > 0.5 ? "#fff" : "#1f2933";
}

/** A CSS gradient of a ramp (the multiplier's by default), for a legend. */
export function rampGradient(ramp: Ramp = RAMP): string {
  return `linear-gradient(90deg, ${ramp.map(([t, [r, g, b]]) => `rgb(${r},${g},${b}) ${t * 100}%`).join(", ")})`;
}
