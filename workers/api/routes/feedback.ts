import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { storableText } from "../../../db/text";
import { isPlainText } from "../../../shared/contracts/api";
import { t } from "../../../shared/i18n/catalogue";
import { detectLanguage } from "../../../shared/i18n/detect";
import { type Locale, supported, withMarket } from "../../../shared/i18n/locales";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { router, withDatabase } from "../app";
import { requireMarket } from "../auth/access";
import { acceptedLanguages } from "../locale";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";
import { withDrafts } from "../translation";

/**
 * Notes riders and drivers send about a price, in their own words. The language of the note is
 * detected (`shared/i18n/detect.ts`), and when the caller named none for this answer (no
 * `?locale=`) and has no saved locale, the reply is written in it: a note in Vietnamese is
 * answered in Vietnamese whatever the phone's Accept-Language says. A note too short or mixed to
 * tell is answered in the usual order.
 */
export const feedback = router();

const FeedbackInput = z.object({
  market: MarketIdSchema,
  note: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .refine((s) => isPlainText(s.replace(/[\n\t]/g, " ")), "text without control characters or unpaired surrogates"),
  quoteId: z.string().max(64).optional().describe("the quote the note is about, if any"),
});

const FeedbackAnswer = z.object({
  feedbackId: z.string(),
  detected: z
    .object({ language: z.string(), confidence: z.number() })
    .nullable()
    .describe("the note's language, if it could be told (confidence: how far ahead of the runner-up, 0–1)"),
  locale: z.string().describe("the language of this reply"),
  message: z.string(),
});

/** The reply's locale: the caller's explicit or saved choice, else the note's language (the region a matching tag gives), else as negotiated. */
function replyLocale(current: Locale, detected: string | undefined, candidates: readonly string[]): Locale {
  if (!detected || current.source === "query" || current.source === "user" || current.language === detected) return current;
  const tag = candidates.find((c) => supported(c, "text")?.language === detected) ?? detected;
  return supported(tag, "text") ?? current;
}

feedback.openapi(
  createRoute({
    method: "post",
    path: "/v1/feedback",
    summary: "Tell us about a price in your own words; the reply is in the language you wrote in",
    tags: ["quotes"],
    request: { body: { required: true, content: { "application/json": { schema: FeedbackInput } } } },
    responses: {
      201: { description: "Received", content: { "application/json": { schema: FeedbackAnswer } } },
      403: problemDoc,
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    requireMarket(c, input.market);
    const market = (await marketIndex(c.env)).market(input.market);
    if (!market) throw new ProblemError(404, { code: "market-unknown", params: { market: input.market } });
    const detected = detectLanguage(input.note);
    const negotiated = c.get("locale");
    const chosen = replyLocale(withMarket(negotiated, market.locale), detected?.language, [
      ...acceptedLanguages(c.req.header("accept-language")),
      market.locale,
    ]);
    const locale = chosen === negotiated ? chosen : withDrafts(c, chosen);
    c.set("locale", locale);
    const id = `fb_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const subject = c.get("principal")?.subject ?? "unknown";
    await withDatabase(c, (db) =>
      db.execute(sql`insert into feedback_notes (id, subject, market_id, quote_id, note, detected_language, confidence, reply_locale, created_at)
        values (${id}, ${subject}, ${market.id}, ${input.quoteId ?? null}, ${storableText(input.note)},
          ${detected?.language ?? null}, ${detected?.confidence ?? null}, ${locale.tag}, now())`),
    );
    return c.json(
      {
        feedbackId: id,
        detected: detected ?? null,
        locale: locale.tag,
        message: t(locale, "feedback.thanks", { market: market.name }),
      },
      201,
    );
  },
);
