import { type MessageFormatElement, parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { z } from "zod";
import ar from "./catalogues/ar.json";
import arConsole from "./catalogues/console/ar.json";
import enConsole from "./catalogues/console/en.json";
import esConsole from "./catalogues/console/es.json";
import viConsole from "./catalogues/console/vi.json";
import en from "./catalogues/en.json";
import es from "./catalogues/es.json";
import vi from "./catalogues/vi.json";
import { LANGUAGES, type Language, type Locale, supported } from "./locales";
import { type MessageParams, type Rendered, renderMessage } from "./render";

export type { MessageParams, Rendered } from "./render";

/**
 * Message catalogues: one JSON file per language (`catalogues/<language>.json`, the console's
 * own in `catalogues/console/<language>.json`), ICU
 * MessageFormat messages (plurals, selects, numbers) under flat dotted keys, English the
 * reference every other language is checked against (`tests/i18n-catalogues.test.ts`: every key
 * exists in English, placeholders match). Messages are compiled on first use per locale and
 * kept; a message missing from a language, or one that cannot be formatted, falls back to
 * English, so a gap in a catalogue never breaks an answer.
 */

export const MESSAGE_KEY = /^[a-z]+(\.[a-z0-9-]+)+$/;

export const CatalogueSchema = z.object({
  language: z.enum(LANGUAGES),
  /** The language's own name for itself (the console's switcher shows it). */
  name: z.string().min(1).max(40),
  direction: z.enum(["ltr", "rtl"]),
  messages: z.record(z.string().regex(MESSAGE_KEY, "a dotted lower-case key"), z.string().min(1).max(1000)),
});
export type Catalogue = z.infer<typeof CatalogueSchema>;

/** Every message the platform has: English's keys. */
export type MessageKey = keyof typeof en.messages | keyof typeof enConsole.messages;

/** A locale a caller may save or ask for: a well-formed tag of a language with a catalogue. */
export const LocaleTagSchema = z
  .string()
  .max(35)
  .refine((tag) => supported(tag, "user") !== undefined, "a BCP 47 tag of a supported language (en, vi, es, ar), e.g. vi-VN");

/** A language's whole catalogue: the API's messages and the console's (a file of its own, so the page loads only those). */
function catalogue(api: unknown, console: unknown): Catalogue {
  const [a, c] = [CatalogueSchema.parse(api), CatalogueSchema.parse(console)];
  return { ...a, messages: { ...a.messages, ...c.messages } };
}

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = Object.freeze({
  en: catalogue(en, enConsole),
  vi: catalogue(vi, viConsole),
  es: catalogue(es, esConsole),
  ar: catalogue(ar, arConsole),
});

const ENGLISH_KEYS = Object.keys(CATALOGUES.en.messages) as MessageKey[];

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(CATALOGUES.en.messages, key);
}

/**
 * A message in a locale, with its placeholders filled; English when the locale lacks it or
 * cannot format it (`renderMessage`). Never throws.
 *
 * @example render({ tag: "vi-VN", language: "vi" }, "problem.market-unknown", { market: "nyc" }).text
 *   // "Không có thị trường “nyc”."
 */
export function render(
  locale: Pick<Locale, "tag" | "language" | "drafts">,
  key: MessageKey,
  params: MessageParams = {},
): Rendered {
  return renderMessage(CATALOGUES[locale.language].messages, CATALOGUES.en.messages, locale, key, params);
}

/** `render`'s text. */
export function t(locale: Pick<Locale, "tag" | "language" | "drafts">, key: MessageKey, params?: MessageParams): string {
  return render(locale, key, params).text;
}

/** What fills a placeholder: plain text, a number (plural and number formats too), a choice (select), a date. */
export type PlaceholderKind = "text" | "number" | "select" | "date";

/**
 * The placeholders of an ICU message and what kind of value each takes, read from its syntax tree
 * (nested ones inside plurals and selects included; `#` is the plural's own).
 *
 * @example placeholders("{n, plural, one {# day} other {# days}} in {city}") // Map { n → number, city → text }
 */
export function placeholders(message: string): Map<string, PlaceholderKind> {
  const found = new Map<string, PlaceholderKind>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      switch (el.type) {
        case TYPE.argument:
          found.set(el.value, found.get(el.value) ?? "text");
          break;
        case TYPE.number:
        case TYPE.plural:
          found.set(el.value, "number");
          if (el.type === TYPE.plural) for (const option of Object.values(el.options)) walk(option.value);
          break;
        case TYPE.date:
        case TYPE.time:
          found.set(el.value, "date");
          break;
        case TYPE.select:
          found.set(el.value, "select");
          for (const option of Object.values(el.options)) walk(option.value);
          break;
        case TYPE.tag:
          walk(el.children);
          break;
      }
    }
  };
  walk(parse(message));
  return found;
}

/**
 * How much of a language's catalogue is written: the share of English's keys it holds.
 *
 * @example completeness("vi") // { keys: 132, translated: 132, missing: [], ratio: 1 }
 */
export function completeness(language: Language) {
  const own = CATALOGUES[language].messages;
  const missing = ENGLISH_KEYS.filter((key) => own[key] === undefined);
  const translated = ENGLISH_KEYS.length - missing.length;
  return { keys: ENGLISH_KEYS.length, translated, missing, ratio: translated / ENGLISH_KEYS.length };
}
