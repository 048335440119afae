import { francAll } from "franc-min";
import type { Language } from "./locales";

/**
 * Which of the platform's languages a piece of free text is written in — a rider's note about a
 * price, say — so that the answer can be in that language when the caller named none. Pure.
 *
 * `franc-min` (trigram profiles of 82 languages, ~150 KB, no I/O, runs in workerd) restricted to
 * the four languages the platform speaks: it first reads the script (Arabic letters are Arabic
 * here), then ranks Latin text among English, Spanish and Vietnamese by trigram distance. Short
 * or mixed text is where it errs, so a guess counts only when the text is long enough and the
 * runner-up is far enough behind; otherwise there is no answer and the usual order decides.
 * Accuracy on rider-like sentences is measured in `tests/language-detection.test.ts`.
 */

/** franc's ISO 639-3 codes for the platform's languages (Modern Standard Arabic for Arabic). */
const CODES: Readonly<Record<string, Language>> = { eng: "en", vie: "vi", spa: "es", arb: "ar" };
const ONLY = Object.keys(CODES);

/** Fewer letters than this say too little (franc's own floor is 10). */
export const MIN_LETTERS = 12;
/** How far ahead the best guess must be (1 − the runner-up's score; franc scores the best 1). */
export const MIN_MARGIN = 0.04;

export interface Detected {
  language: Language;
  /** 1 − the runner-up's score: 0 is a tie, 1 is no contest (a script only one language here uses). */
  confidence: number;
}

/**
 * The language of `text`, or undefined when it cannot tell.
 *
 * @example detectLanguage("Sao giá hôm nay cao thế, tôi chỉ đi có hai cây số") // { language: "vi", confidence: … }
 * @example detectLanguage("ok") // undefined: too short
 */
export function detectLanguage(text: string): Detected | undefined {
  const sample = text.slice(0, 2000);
  const letters = sample.match(/\p{L}/gu)?.length ?? 0;
  if (letters < MIN_LETTERS) return undefined;
  const ranked = francAll(sample, { only: ONLY, minLength: MIN_LETTERS });
  const [best, second] = ranked;
  const language = best ? CODES[best[0]] : undefined;
  if (!language) return undefined;
  const confidence = Math.round((1 - (second?.[1] ?? 0)) * 1000) / 1000;
  return confidence >= MIN_MARGIN ? { language, confidence } : undefined;
}
