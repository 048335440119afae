import type { CircuitBreaker } from "../../shared/kit/breaker";
import { type AiRunner, askModel, modelGuard } from "./workers-ai";

export type { AiRunner } from "./workers-ai";

/**
 * Explanation sentences for riders, polished by Workers AI — behind a port, so that pricing never
 * waits on it and never fails because of it. The plain sentence (a template, in the rider's
 * locale) is made elsewhere (the languages work); this only asks a model to make it read well,
 * within a deadline, and falls back to the plain sentence on any failure, timeout, open breaker
 * or an answer that does not look like one sentence (the call itself: `workers-ai.ts`). Workers AI has no local emulation: locally
 * and in tests the deterministic fake serves.
 *
 * @example
 * const polisher = env.AI ? workersAiPolisher(env.AI) : fakePolisher;
 * const sentence = await polisher.polish("Prices are 1.4× here: many riders, few drivers.", "en-US");
 */
export interface SentencePolisher {
  readonly name: string;
  /** The sentence, polished; the sentence itself when polishing is not possible now. Never throws. */
  polish(sentence: string, locale: string): Promise<string>;
}

export const POLISH_MODEL = "@cf/meta/llama-3.1-8b-instruct";
/** A quote answers in tens of milliseconds: a sentence may add at most this much. */
export const POLISH_TIMEOUT_MS = 250;
const MAX_SENTENCE = 280;

/**
 * The deterministic fake: the same sentence in, the same sentence out, visibly "polished" (spaces
 * tidied, a capital first letter, a closing full stop) so that tests can tell it ran.
 */
export const fakePolisher: SentencePolisher = {
  name: "fake",
  async polish(sentence) {
    const tidy = sentence.replace(/\s+/g, " ").trim();
    if (tidy === "") return sentence;
    const capital = tidy[0]?.toLocaleUpperCase() + tidy.slice(1);
    return /[.!?。]$/.test(capital) ? capital : `${capital}.`;
  },
};

/** The real adapter: the `AI` binding, a timeout and a breaker (one per isolate). */
export function workersAiPolisher(
  ai: AiRunner,
  options: { timeoutMs?: number; now?: () => number; breaker?: CircuitBreaker } = {},
): SentencePolisher {
  const guard = modelGuard({ ...options, timeoutMs: options.timeoutMs ?? POLISH_TIMEOUT_MS });
  return {
    name: "workers-ai",
    async polish(sentence, locale) {
      return (await askModel(ai, POLISH_MODEL, polishRequest(sentence, locale), answerText, guard)) ?? sentence;
    },
  };
}

/** The request the model gets: the sentence, its locale, and what not to change. */
export function polishRequest(sentence: string, locale: string) {
  return {
    messages: [
      {
        role: "system" as const,
        content:
          `Rewrite the rider-facing sentence you are given so it reads naturally in the language of locale ${locale}. ` +
          "Keep every number, multiplier and currency amount exactly as written. One sentence, at most 200 characters. " +
          "Answer with the sentence only.",
      },
      { role: "user" as const, content: sentence.slice(0, MAX_SENTENCE) },
    ],
    max_tokens: 96,
  };
}

/** The model's sentence, if it gave one: `{response: string}` as Workers AI text models answer. */
function answerText(answer: unknown): string | undefined {
  const response = (answer as { response?: unknown } | null)?.response;
  if (typeof response !== "string") return undefined;
  const text = response.trim().replace(/^"|"$/g, "");
  return text.length > 0 && text.length <= MAX_SENTENCE && !text.includes("\n") ? text : undefined;
}
