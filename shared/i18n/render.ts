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
  /** The language the text is in: English when the locale's catalogue lacks the key and has no draft for it. */
  language: Language;
  /** Said by a draft instead of the catalogue: a machine's unreviewed one, or one an admin reviewed. */
  draft?: "machine" | "reviewed";
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
  locale: Pick<Locale, "tag" | "language" | "drafts">,
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
  // A message the catalogue lacks: a draft says it, if there is one (its text may change on review: part of the cache key).
  const draft = message === undefined && locale.language !== DEFAULT_LANGUAGE ? locale.drafts?.messages[key] : undefined;
  if (draft !== undefined && locale.drafts) {
    try {
      const text = format(locale.tag, `${key}\u0000${draft}`, draft, params);
      const machine = locale.drafts.machine.has(key);
      if (machine) locale.drafts.said.add(key);
      return { text, language: locale.language, draft: machine ? "machine" : "reviewed" };
    } catch {
      // a draft that cannot be formatted with these values: English says it
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
