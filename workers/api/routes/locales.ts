import { createRoute, z } from "@hono/zod-openapi";
import { CATALOGUES, completeness } from "../../../shared/i18n/catalogue";
import { DEFAULT_LANGUAGE, LANGUAGES } from "../../../shared/i18n/locales";
import { router } from "../app";
import { heldDrafts } from "../translation";

/** The languages the platform speaks, and how much of each catalogue is written. Public: no caller's data. */
export const locales = router();

const LocaleSchema = z.object({
  language: z.string().describe("a BCP 47 language: any tag of it may be asked for (vi, vi-VN)"),
  name: z.string().describe("the language's own name for itself"),
  direction: z.enum(["ltr", "rtl"]),
  messages: z.number().int().describe("messages English has"),
  translated: z.number().int(),
  completeness: z.number().describe("translated / messages, 0–1"),
  missing: z.array(z.string()).describe("keys its catalogue lacks: said by a draft where there is one, else in English"),
  machineTranslated: z
    .array(z.string())
    .describe(
      "missing keys said by a machine's draft no one has reviewed yet (answers that use one name it in Equilibrium-Machine-Translated)",
    ),
  reviewedDrafts: z.array(z.string()).describe("missing keys said by a draft an admin approved or wrote"),
});

locales.openapi(
  createRoute({
    method: "get",
    path: "/v1/locales",
    summary: "Supported locales, with each catalogue's completeness",
    description:
      "The locale of an answer is negotiated in this order: ?locale=, Accept-Language, the caller's saved locale, the market's default, then English; Content-Language says which won. A message a catalogue lacks is said by its draft (machine-translated, or reviewed by an admin) where there is one, else in English.",
    tags: ["languages"],
    responses: {
      200: {
        description: "Every catalogue",
        content: {
          "application/json": { schema: z.object({ default: z.string(), locales: z.array(LocaleSchema) }) },
        },
      },
    },
  }),
  async (c) =>
    c.json(
      {
        default: DEFAULT_LANGUAGE,
        locales: await Promise.all(
          LANGUAGES.map(async (language) => {
            const { keys, translated, missing, ratio } = completeness(language);
            const catalogue = CATALOGUES[language];
            const drafts = await heldDrafts(c.env, c.executionCtx, language);
            return {
              language,
              name: catalogue.name,
              direction: catalogue.direction,
              messages: keys,
              translated,
              completeness: ratio,
              missing,
              machineTranslated: drafts.machine,
              reviewedDrafts: drafts.reviewed,
            };
          }),
        ),
      },
      200,
    ),
);
