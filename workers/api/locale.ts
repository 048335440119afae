import type { Context, MiddlewareHandler } from "hono";
import { parseAccept } from "hono/utils/accept";
import { type Locale, negotiate, withMarket } from "../../shared/i18n/locales";
import { answerHeaders } from "./answer-headers";
import type { AppEnv } from "./app";
import { marketIndex } from "./market-index";
import { draftsFor, withDrafts } from "./translation";

/**
 * The request's locale, negotiated once per request and carried in the context (`c.get("locale")`),
 * never in a module variable: an isolate serves many requests at once, and a locale kept
 * anywhere else would leak from one caller's answer into another's.
 *
 * Hono's `languageDetector` is not used: it reduces a tag to one of a list (`ar-EG` → `ar`, which
 * loses Arabic-Indic digits and a region's units) and always answers its fallback when nothing
 * matched, where the product's order still has the user's and the market's locales to try.
 * Its Accept-Language parser is (`parseAccept`).
 */

/** `Accept-Language`'s ranges, most preferred first; `*` and q=0 mean nothing to choose. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return parseAccept(header.slice(0, 1024))
    .filter((range) => range.q > 0 && range.type !== "*")
    .map((range) => range.type);
}

/** What the request itself says: `?locale=`, `Accept-Language`, the caller's saved locale. */
function fromRequest(c: Context<AppEnv>): Locale {
  return negotiate({
    query: c.req.query("locale"),
    accepted: acceptedLanguages(c.req.header("accept-language")),
    user: c.get("principal")?.locale,
  });
}

/**
 * The middleware: negotiates after the caller is identified (so a saved locale counts) and, for
 * routes under `/v1/markets/{marketId}`, with that market's default; says the winner in
 * `Content-Language` on whatever answer goes out. Routes that find their market later (a quote,
 * a reading: by location) call `useMarketLocale`. Where the language's catalogue lacks messages,
 * the locale carries their drafts (`translation.ts`), and an answer that said a machine's
 * unreviewed draft names those messages in `Equilibrium-Machine-Translated`.
 */
export function locale(): MiddlewareHandler<AppEnv> {
  return async function negotiateLocale(c, next) {
    let chosen = fromRequest(c);
    const marketId = c.get("routeParams")?.marketId;
    if (chosen.source === "default" && marketId !== undefined) {
      const market = await marketIndex(c.env)
        .then((index) => index.market(marketId))
        .catch(() => undefined);
      if (market) chosen = withMarket(chosen, market.locale);
    }
    const drafts = await draftsFor(c.env, c.executionCtx, chosen.language);
    c.set("locale", drafts ? { ...chosen, drafts } : chosen);
    await next();
    const answered = c.get("locale");
    answerHeaders(c, [
      ["content-language", answered.tag],
      ["vary", "accept-language", "append"],
      ...(answered.drafts?.said.size ? [[MACHINE_TRANSLATED, [...answered.drafts.said].sort().join(", ")] as const] : []),
    ]);
  };
}

/** The answer's header naming the messages a machine's unreviewed draft said (catalogue keys, comma-separated). */
export const MACHINE_TRANSLATED = "equilibrium-machine-translated";

/**
 * The request's market is known: its default locale applies unless the caller chose one.
 *
 * @example useMarketLocale(c, where.market.locale) // vi-VN for a point in Ho Chi Minh City, asked in no language
 */
export function useMarketLocale(c: Context<AppEnv>, marketLocale: string): Locale {
  const current = requestLocale(c);
  const next = withMarket(current, marketLocale);
  if (next === current) return current;
  const drafted = withDrafts(c, next);
  c.set("locale", drafted);
  return drafted;
}

/** The negotiated locale; before the middleware has run (an early failure), what the request itself says. */
export function requestLocale(c: Context<AppEnv>): Locale {
  return c.get("locale") ?? fromRequest(c);
}
