import { createRoute, z } from "@hono/zod-openapi";
import { withAudit } from "../../../db/audit";
import { type DraftRow, draftRow, draftsSql, reviewDraft } from "../../../db/translations";
import { CATALOGUES, MESSAGE_KEY } from "../../../shared/i18n/catalogue";
import { checkDraft, DRAFT_LANGUAGES, describePlaceholders } from "../../../shared/i18n/drafts";
import { databaseWork, readDatabase, router, withDatabase } from "../app";
import { audited } from "../audit";
import { ProblemError, problemDoc } from "../problem";
import { DRAFTS_PER_RUN, draftMissing, forgetDrafts } from "../translation";

/**
 * Admins' review of machine-drafted messages (`workers/api/translation.ts`): the drafts, a
 * drafting run on demand (the minute cron runs one too), and a decision per draft — approve,
 * reject, or write the text. Every change is in the audit log, in the change's transaction.
 */
export const translations = router();

const Language = z.enum(DRAFT_LANGUAGES).describe("a language drafts are made for (English is the reference)");
const Key = z.string().max(120).regex(MESSAGE_KEY, "a catalogue key, e.g. problem.market-unknown");

const DraftSchema = z.object({
  language: z.string(),
  key: z.string(),
  english: z.string().describe("the English message this draft translates"),
  text: z.string(),
  status: z.enum(["machine", "approved", "rejected"]).describe("machine: a model's, unreviewed (said, and marked as such)"),
  author: z.string().describe("the model that drafted it, or the admin who wrote it"),
  current: z.boolean().describe("false once English has changed since: not said until drafted or written again"),
  createdAt: z.string(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
});

const english = CATALOGUES.en.messages as Record<string, string>;

function view(row: DraftRow): z.infer<typeof DraftSchema> {
  return {
    ...row,
    current: english[row.key] === row.english,
    createdAt: row.createdAt.toISOString(),
    reviewedAt: row.reviewedAt?.toISOString() ?? null,
  };
}

translations.openapi(
  createRoute({
    method: "get",
    path: "/v1/admin/translations",
    summary: "Drafts of messages the catalogues lack, for review",
    tags: ["languages", "admin"],
    request: {
      query: z.object({
        language: Language.optional(),
        status: z.enum(["machine", "approved", "rejected"]).optional(),
      }),
    },
    responses: {
      200: { description: "The drafts", content: { "application/json": { schema: z.object({ drafts: z.array(DraftSchema) }) } } },
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { language, status } = c.req.valid("query");
    const rows = await readDatabase(c, draftsSql(language ? [language] : DRAFT_LANGUAGES, status), {
      code: "database-unreachable",
    });
    return c.json({ drafts: rows.map((r) => view(draftRow(r))) }, 200);
  },
);

const DraftingSchema = z.object({
  drafted: z.number().int(),
  failed: z.number().int().describe("the translator gave no answer (failing, too slow, or its breaker open)"),
  unusable: z.number().int().describe("answers that lost or changed a placeholder: not stored"),
  keptInEnglish: z.number().int().describe("plural and select messages: never sent to a model"),
  remaining: z.number().int(),
});

translations.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/translations/draft",
    summary: "Draft what the catalogues lack now (machine translation; the minute cron does it too)",
    description:
      "Runs one drafting pass and answers what it did. Only this admin request waits for the model: rendering never does.",
    tags: ["languages", "admin"],
    request: {
      body: {
        required: false,
        content: {
          "application/json": {
            schema: z.object({
              languages: z.array(Language).min(1).max(DRAFT_LANGUAGES.length).optional(),
              limit: z.number().int().min(1).max(200).default(DRAFTS_PER_RUN).describe("translator calls at most"),
            }),
          },
        },
      },
    },
    responses: {
      200: { description: "What the pass did", content: { "application/json": { schema: DraftingSchema } } },
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const body = c.req.valid("json") ?? { limit: DRAFTS_PER_RUN };
    // The pass keeps its own connection and breaker; the audit entry is a transaction of its own after it.
    const done = await databaseWork(c, () =>
      draftMissing(c.env, c.executionCtx, { languages: body.languages, limit: body.limit }),
    );
    const entry = audited(c, "translations.draft", (body.languages ?? DRAFT_LANGUAGES).join(","), null, { ...done });
    await withDatabase(c, (db) => withAudit(db, entry, async () => undefined));
    return c.json(done, 200);
  },
);

const ReviewSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("approve") }),
  z.object({ decision: z.literal("reject") }),
  z.object({
    decision: z.literal("edit"),
    text: z.string().min(1).max(1000).describe("ICU MessageFormat with English's placeholders; stored as approved"),
  }),
]);

translations.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/translations/{language}/{key}",
    summary: "Approve, reject or write the draft of one message",
    tags: ["languages", "admin"],
    request: {
      params: z.object({ language: Language, key: Key }),
      body: { required: true, content: { "application/json": { schema: ReviewSchema } } },
    },
    responses: {
      200: { description: "The draft after the decision", content: { "application/json": { schema: DraftSchema } } },
      404: problemDoc,
      409: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { language, key } = c.req.valid("param");
    const review = c.req.valid("json");
    const source = english[key];
    if (source === undefined) throw new ProblemError(404, { code: "translation-key-unknown", params: { key } });
    if ((CATALOGUES[language].messages as Record<string, string>)[key] !== undefined)
      throw new ProblemError(409, { code: "translation-not-missing", params: { key, language } });
    let text: string | undefined;
    if (review.decision === "edit") {
      const checked = checkDraft(review.text, source);
      if (!checked.ok)
        throw new ProblemError(422, {
          code: "translation-draft-invalid",
          params: { key, expected: describePlaceholders(source), reason: checked.reason },
        });
      text = checked.message;
    }
    const by = c.get("principal")?.subject ?? "unknown";
    const status = review.decision === "reject" ? "rejected" : "approved";
    const entry = audited(c, `translation.${review.decision}`, `${language}:${key}`, null, text === undefined ? {} : { text });
    const row = await withDatabase(c, (db) =>
      withAudit(
        db,
        entry,
        async (tx) => {
          if (review.decision === "approve") {
            const stored = await tx.execute(draftsSql([language]));
            const draft = (stored.rows as Record<string, unknown>[]).map(draftRow).find((d) => d.key === key);
            if (draft && draft.english !== source) return "stale" as const;
          }
          return reviewDraft(tx, { language, key, english: source, status, text, by, at: new Date() });
        },
        (done) => done !== undefined && done !== "stale",
      ),
    );
    if (row === "stale") throw new ProblemError(409, { code: "translation-draft-stale", params: { key, language } });
    if (!row) throw new ProblemError(404, { code: "translation-draft-unknown", params: { key, language } });
    forgetDrafts(language);
    return c.json(view(row), 200);
  },
);
