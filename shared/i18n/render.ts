import { IntlMessageFormat } from "intl-messageformat";
import { ExpiringMap } from "../kit/expiring-map";
import { DEFAULT_LANGUAGE, type Language, type Locale } from "./locales";

/**
 * Renders one catalogue message in a locale, with English as the fallback: the one renderer the
 * API (`catalogue.ts`, whose catalogues are checked by zod) and the console (which loads only
 * the catalogue it shows) share. Never throws: a key missing from the locale's messages, or a
 * message that cannot be formatted there, is rendered in English, and failing that is the key.
 */

export type Messages = Readonly<Record<string, string>>;
/** Values a message's placeholders take. */
export type MessageParams = Record<string, string | number>;

export interface Rendered {
  text: string;
  /** The language the text is in: English when the locale's catalogue lacks the key. */
  language: Language;
}

// Compiled messages, per locale tag and key: a few hundred keys times the tags callers
// negotiate (bounded: only supported languages pass); LRU beyond that.
const compiled = new ExpiringMap<string, IntlMessageFormat>({ maxEntries: 4096 });

function format(tag: string, key: string, source: string, params: MessageParams): string {
  return String(compiled.getOrInsertComputed(`${tag}\u0000${key}`, () => new IntlMessageFormat(source, tag)).format(params));
}

export function renderMessage(
  own: Messages | undefined,
  english: Messages,
  locale: Pick<Locale, "tag" | "language">,
  key: string,
  params: MessageParams = {},
): Rendered {
  const message = own?.[key];
  if (message !== undefined && locale.language !== DEFAULT_LANGUAGE) {
    try {
      return { text: format(locale.tag, key, message, params), language: locale.language };
    } catch {
      // a message its translator got wrong: English says it instead
    }
  }
  const tag = locale.language === DEFAULT_LANGUAGE ? locale.tag : DEFAULT_LANGUAGE;
  const fallback = english[key];
  if (fallback === undefined) return { text: key, language: DEFAULT_LANGUAGE };
  try {
    return { text: format(tag, key, fallback, params), language: DEFAULT_LANGUAGE };
  } catch {
    return { text: fallback, language: DEFAULT_LANGUAGE };
  }
}
