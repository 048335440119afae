import { cellToParent, getResolution } from "h3-js";
import type { ExperimentInput, Variant } from "../contracts/experiments";
import type { ExperimentLabel, PricingInputs } from "../pricing/policy";
import type { SourceInputs } from "../pricing/zone-state";

/**
 * Who is in which arm of an experiment, when: pure and deterministic, so the edge, the zones,
 * the analysis and the simulator all agree without asking each other.
 *
 * A switchback randomises each **unit** (the H3 cell at the experiment's unit resolution that a
 * pricing cell falls in) in each **window** (`windowMinutes` long, counted from `from`)
 * independently: the variant is a keyed hash of (experiment, unit, window) mapped onto the
 * variants' weights. The key is the experiment's secret salt, so nobody outside can tell (or
 * steer) the next window's draw. A rider design randomises riders once for the whole run.
 */

/** An experiment as stored: the input, `from` on a whole minute, with its key and its life. */
export interface StoredExperiment extends ExperimentInput {
  id: string;
  /** The hash key of assignments: random, secret, fixed for the experiment's life. */
  salt: string;
  createdAt: string;
  updatedAt: string;
  stoppedAt: string | null;
  stopReason: string | null;
}

export type ExperimentStatus = "scheduled" | "running" | "ended" | "stopped";

export interface Window {
  index: number;
  start: number;
  end: number;
}

const MINUTE_MS = 60_000;

/**
 * A keyed 32-bit hash of some parts (MurmurHash3's mixing, one UTF-16 unit at a time, with its
 * finaliser so that every input bit moves every output bit): consecutive windows and
 * neighbouring units draw independently.
 * @example keyedHash("salt", "exp", "86754e64fffffff", 12) // the same number everywhere, every time
 */
export function keyedHash(key: string, ...parts: ReadonlyArray<string | number>): number {
  const text = [key, ...parts].join("\u0000");
  let h = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The variant a uniform draw in [0, 1) falls on, the variants laid end to end by weight.
 * @example pickVariant([{ id: "a", weight: 1 }, { id: "b", weight: 3 }], 0.3) // "b"
 */
export function pickVariant(variants: ReadonlyArray<Pick<Variant, "id" | "weight">>, u: number): string {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let edge = 0;
  for (const v of variants) {
    edge += v.weight / total;
    if (u < edge) return v.id;
  }
  return variants[variants.length - 1]?.id ?? "";
}

/** The start of an experiment in epoch ms (a whole minute) and its end. */
export function span(e: Pick<ExperimentInput, "from" | "to">): { from: number; to: number } {
  return { from: Math.floor(Date.parse(e.from) / MINUTE_MS) * MINUTE_MS, to: Date.parse(e.to) };
}

/**
 * The window a time falls in, or undefined outside the experiment's span. A rider design has one
 * window, the whole run. The last window ends with the experiment.
 */
export function windowAt(e: Pick<ExperimentInput, "from" | "to" | "design" | "windowMinutes">, at: number): Window | undefined {
  const { from, to } = span(e);
  if (at < from || at >= to) return undefined;
  if (e.design === "rider") return { index: 0, start: from, end: to };
  const length = e.windowMinutes * MINUTE_MS;
  const index = Math.floor((at - from) / length);
  return { index, start: from + index * length, end: Math.min(to, from + (index + 1) * length) };
}

/** Whether a time is in its window's burn-in, which the analysis drops (carryover from the window before). */
export function inBurnIn(e: Pick<ExperimentInput, "burnInMinutes">, window: Window, at: number): boolean {
  return at < window.start + e.burnInMinutes * MINUTE_MS;
}

/**
 * The unit a pricing cell belongs to: its parent at the unit resolution (itself when equal).
 * A point is first located in its pricing cell, so a point and its cell never disagree.
 */
export function unitOf(cell: string, unitResolution: number): string {
  return getResolution(cell) === unitResolution ? cell : cellToParent(cell, unitResolution);
}

/** The variant of a unit in a window: the same answer for the same (experiment, unit, window), always. */
export function assign(e: Pick<StoredExperiment, "id" | "salt" | "variants">, unit: string, window: number): string {
  return pickVariant(e.variants, keyedHash(e.salt, e.id, unit, window) / 4_294_967_296);
}

/** Where an experiment is in its life at `now`. */
export function statusAt(e: Pick<StoredExperiment, "from" | "to" | "stoppedAt">, now: number): ExperimentStatus {
  if (e.stoppedAt !== null) return "stopped";
  const { from, to } = span(e);
  return now < from ? "scheduled" : now < to ? "running" : "ended";
}

/**
 * The label of a pricing cell (switchback) or a rider (rider design) at a time: unit, window and
 * variant; undefined outside the experiment's span.
 */
export function labelAt(e: StoredExperiment, who: { cell: string } | { rider: string }, at: number): ExperimentLabel | undefined {
  const window = windowAt(e, at);
  if (!window) return undefined;
  const unit = "rider" in who ? who.rider : unitOf(who.cell, e.unitResolution);
  return { id: e.id, mode: e.mode, unit, window: window.index, variant: assign(e, unit, window.index) };
}

/**
 * What a zone's pricing is told for the current window: for each of its cells, the arm it is in
 * and (live) the variant's settings or (shadow) every variant to price beside the market's,
 * until the window ends. Undefined when the experiment does not price now (not running, or a
 * rider design, which never touches a cell's price).
 *
 * @example
 * zone.setInputs(ref, zone, `experiment:${e.id}`, zoneInputs(e, zoneCells, Date.now()));
 */
export function zoneInputs(e: StoredExperiment, cells: Iterable<string>, now: number): SourceInputs | undefined {
  if (e.design !== "switchback" || statusAt(e, now) !== "running") return undefined;
  const window = windowAt(e, now);
  if (!window) return undefined;
  const shadow = e.mode === "shadow" ? e.variants.map((v) => ({ id: v.id, settings: v.surge })) : undefined;
  const settings = new Map(e.variants.map((v) => [v.id, v.surge]));
  const out: Record<string, PricingInputs> = {};
  for (const cell of cells) {
    const unit = unitOf(cell, e.unitResolution);
    const variant = assign(e, unit, window.index);
    const experiment: ExperimentLabel = { id: e.id, mode: e.mode, unit, window: window.index, variant };
    out[cell] = shadow ? { experiment, shadow } : { experiment, settings: settings.get(variant) };
  }
  return { cells: out, until: window.end };
}

/** The name a zone keeps an experiment's inputs under. */
export function inputSource(experimentId: string): string {
  return `experiment:${experimentId}`;
}
