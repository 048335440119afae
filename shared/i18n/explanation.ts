import type { SurgeExplanation } from "../pricing/surge";
import type { MessageKey, MessageParams } from "./catalogue";

/**
 * The sentence a rider reads about a price, chosen from the reading's explanation: which
 * message (`explain.*` in the catalogues) and the figures it quotes. Pure; rendering it in the
 * request's locale is the catalogue's (`render`), polishing it the edge's (`sentence-polish.ts`).
 *
 * @example
 * explanationMessage({ explanation: { ...e, ratio: 2.31, shown: 1.8, capApplied: null }, multiplier: 1.8 })
 *   // { key: "explain.surge", params: { ratio: 2.3 } } → "Prices are higher because demand near your pickup is 2.3× the drivers available."
 */
export interface PriceStory {
  explanation: Pick<SurgeExplanation, "ratio" | "shown" | "cap" | "capApplied" | "thinData" | "forecast">;
  /** The multiplier charged or shown (an emergency cap at the edge can lower the reading's). */
  multiplier: number;
  /** The reading is the last known one, not live (its zone could not answer). */
  degraded?: boolean;
  /** An operator's cap lowered the multiplier at the edge. */
  capped?: boolean;
  /** The market's named place at the pickup, if one is there ("near Madison Square Garden"). */
  place?: string | undefined;
}

const tenths = (x: number) => Math.round(x * 10) / 10;

export function explanationMessage(story: PriceStory): { key: MessageKey; params: MessageParams } {
  const e = story.explanation;
  const multiplier = tenths(story.multiplier);
  const ratio = tenths(e.ratio);
  // "near {place}", or "near your pickup" where the market names none ("none" selects it).
  const place = story.place ?? "none";
  if (story.degraded) return { key: "explain.degraded", params: { multiplier } };
  if (multiplier <= 1) return { key: e.thinData ? "explain.thin" : "explain.balanced", params: {} };
  if (story.capped || e.capApplied === "emergency") return { key: "explain.emergency", params: { multiplier, ratio, place } };
  // The cap bounds the target at once, the shown multiplier only once smoothing has climbed to it.
  if (e.capApplied === "market" && multiplier >= Math.floor(e.cap * 10) / 10)
    return { key: "explain.cap", params: { multiplier, ratio, place } };
  const forecast = e.forecast;
  if (forecast?.mode === "on" && forecast.predictiveShown > forecast.reactiveShown)
    return { key: "explain.forecast", params: { ratio, minutes: forecast.horizonMinutes, place } };
  // Smoothing brings a price down gradually: demand may already be back at or below supply.
  if (ratio <= 1) return { key: "explain.easing", params: { multiplier, ratio, place } };
  return { key: "explain.surge", params: { ratio, place } };
}
