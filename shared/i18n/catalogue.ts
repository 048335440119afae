import { type MessageFormatElement, parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { IntlMessageFormat } from "intl-messageformat";
import { z } from "zod";
import { ExpiringMap } from "../kit/expiring-map";
import ar from "./catalogues/ar.json";
import en from "./catalogues/en.json";
import es from "./catalogues/es.json";
import vi from "./catalogues/vi.json";
import { DEFAULT_LANGUAGE, LANGUAGES, type Language, type Locale } from "./locales";

/**
 * Message catalogues: one JSON file per language (`catalogues/<language>.json`), ICU
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
export type MessageKey = keyof typeof en.messages;
/** Values a message's placeholders take. */
export type MessageParams = Record<string, string | number>;

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = Object.freeze({
  en: CatalogueSchema.parse(en),
  vi: CatalogueSchema.parse(vi),
  es: CatalogueSchema.parse(es),
  ar: CatalogueSchema.parse(ar),
});

const ENGLISH_KEYS = Object.keys(CATALOGUES.en.messages) as MessageKey[];

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(CATALOGUES.en.messages, key);
}

// Compiled messages, per locale tag and key. Keys come from the catalogues (a few hundred) times
// the tags callers negotiate (bounded, since only supported languages pass); LRU beyond that.
const compiled = new ExpiringMap<string, IntlMessageFormat>({ maxEntries: 4096 });

function compile(tag: string, source: string, key: string): IntlMessageFormat {
  return compiled.getOrInsertComputed(`${tag}\u0000${key}`, () => new IntlMessageFormat(source, tag));
}

export interface Rendered {
  text: string;
  /** The language the text is in: English when the locale's catalogue lacks the key. */
  language: Language;
}

/**
 * A message in a locale, with its placeholders filled. Never throws: a key missing from the
 * locale's catalogue, or a message that cannot be formatted there, is rendered in English.
 *
 * @example render({ tag: "vi-VN", language: "vi", source: "query" }, "problem.market-unknown", { market: "nyc" }).text
 *   // "Không có thị trường “nyc”."
 */
export function render(locale: Pick<Locale, "tag" | "language">, key: MessageKey, params: MessageParams = {}): Rendered {
  const own = CATALOGUES[locale.language].messages[key];
  if (own !== undefined && locale.language !== DEFAULT_LANGUAGE) {
    try {
      return { text: String(compile(locale.tag, own, key).format(params)), language: locale.language };
    } catch {
      // a message its translator got wrong: English says it instead
    }
  }
  const tag = locale.language === DEFAULT_LANGUAGE ? locale.tag : DEFAULT_LANGUAGE;
  const english = CATALOGUES.en.messages[key];
  if (english === undefined) return { text: key, language: DEFAULT_LANGUAGE };
  try {
    return { text: String(compile(tag, english, key).format(params)), language: DEFAULT_LANGUAGE };
  } catch {
    return { text: english, language: DEFAULT_LANGUAGE };
  }
}

/** `render`'s text. */
export function t(locale: Pick<Locale, "tag" | "language">, key: MessageKey, params?: MessageParams): string {
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
