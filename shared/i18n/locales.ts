/**
 * Which locale an answer speaks, negotiated from what the caller said, in the product's order:
 * `?locale=`, then `Accept-Language` (by quality), then the user's saved locale, then the
 * market's default, then English. A step wins when it names a well-formed tag whose language has
 * a catalogue here; the tag is kept whole (its region and extensions decide digits, units and
 * separators: `ar-EG` writes Arabic-Indic digits, `en-US` miles), the language picks the
 * catalogue. Pure: the middleware (`workers/api/locale.ts`) gathers the inputs.
 */

/** Languages with a catalogue (`shared/i18n/catalogues/<language>.json`). English is the reference. */
export const LANGUAGES = ["en", "vi", "es", "ar"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "en";

/**
 * Where the winning locale came from (`default`: nothing the caller said is supported; English;
 * `text`: the language detected in free text the caller sent, `shared/i18n/detect.ts`).
 */
export type LocaleSource = "query" | "header" | "user" | "text" | "market" | "default";

/**
 * Drafts for messages a language's catalogue lacks (`shared/i18n/drafts.ts`), as the edge holds
 * them for one request: the texts, which of them are a machine's unreviewed work, and which of
 * those this answer said (so the answer can say it was machine-translated).
 */
export interface LocaleDrafts {
  readonly messages: Readonly<Record<string, string>>;
  readonly machine: ReadonlySet<string>;
  readonly said: Set<string>;
}

export interface Locale {
  /** Canonical BCP 47 tag as asked for (e.g. "vi-VN", "ar-EG", "es"): what `Content-Language` says. */
  tag: string;
  /** The catalogue it reads. */
  language: Language;
  source: LocaleSource;
  /** Drafts for what its catalogue lacks, when there are any (set per request by the edge). */
  drafts?: LocaleDrafts;
}

/** Longest tag considered (BCP 47 allows more; nothing useful needs it, and it bounds the work). */
const MAX_TAG = 35;

export const ENGLISH: Locale = { tag: DEFAULT_LANGUAGE, language: DEFAULT_LANGUAGE, source: "default" };

/**
 * A tag as a supported locale, or undefined: malformed, too long, or a language without a catalogue.
 *
 * @example supported("ar-eg", "query") // { tag: "ar-EG", language: "ar", source: "query" }
 * @example supported("fr-FR", "header") // undefined
 */
export function supported(tag: string | null | undefined, source: LocaleSource): Locale | undefined {
  if (!tag || tag.length > MAX_TAG) return undefined;
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(tag.trim())[0];
  } catch {
    return undefined;
  }
  if (!canonical) return undefined;
  const language = canonical.split("-")[0]?.toLowerCase();
  if (!(LANGUAGES as readonly string[]).includes(language ?? "")) return undefined;
  return { tag: canonical, language: language as Language, source };
}

export interface LocaleInputs {
  /** `?locale=` */
  query?: string | null;
  /** `Accept-Language`'s ranges, best first (q = 0 and `*` already removed). */
  accepted?: readonly string[];
  /** The caller's saved locale (a user's, from their access token). */
  user?: string | null;
  /** The default locale of the market the request is about, once known. */
  market?: string | null;
}

/**
 * The first step of the order that names a supported locale; English when none does.
 *
 * @example negotiate({ query: "fr", accepted: ["vi-VN", "en"], market: "en-US" }) // vi-VN from the header
 * @example negotiate({ accepted: ["fr-CA"], market: "es-MX" }) // es-MX from the market
 */
export function negotiate(inputs: LocaleInputs): Locale {
  return (
    supported(inputs.query, "query") ??
    inputs.accepted?.map((range) => supported(range, "header")).find((l) => l !== undefined) ??
    supported(inputs.user, "user") ??
    supported(inputs.market, "market") ??
    ENGLISH
  );
}

/**
 * A negotiated locale once the request's market is known: the market's default replaces only
 * what nothing the caller said decided (the caller's own choice always wins).
 *
 * @example withMarket({ tag: "en", language: "en", source: "default" }, "vi-VN") // vi-VN, source "market"
 */
export function withMarket(current: Locale, marketLocale: string): Locale {
  if (current.source !== "default") return current;
  return supported(marketLocale, "market") ?? current;
}

/** Writing direction of a language: Arabic is written right to left. */
export function direction(language: Language): "ltr" | "rtl" {
  return language === "ar" ? "rtl" : "ltr";
}
