import type { Context } from "hono";
import { httpDatabase, openPool } from "../../db/client";
import { type DraftRow, draftRow, draftsSql, saveMachineDraft } from "../../db/translations";
import { CATALOGUES } from "../../shared/i18n/catalogue";
import { DRAFT_LANGUAGES, type DraftLanguage, keysToDraft, mask, unmask } from "../../shared/i18n/drafts";
import type { Language, Locale, LocaleDrafts } from "../../shared/i18n/locales";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import type { AppEnv } from "./app";
import { guarded, type Reporter } from "./dependencies";
import { type AiRunner, askModel, type ModelGuard, modelGuard } from "./workers-ai";

/**
 * Machine translation as a fallback for messages a catalogue lacks: drafted off the request path
 * (the minute cron, or an admin's job), stored in Postgres (`catalogue_drafts`), held per isolate
 * for rendering, marked when a machine's unreviewed draft is said, reviewed by admins.
 *
 * - **The port**: `MessageTranslator`. The real adapter asks Workers AI's `@cf/meta/m2m100-1.2b`
 *   (`{text, source_lang, target_lang}` → `{translated_text}`) through the edge's one guarded
 *   model call (`workers-ai.ts`: breaker, deadline). Where the `AI` binding is absent (locally, in
 *   tests), the deterministic fake drafts instead — English with the language's tag in front,
 *   visibly not a translation — but only where `MACHINE_TRANSLATION_FAKE` is "true" (the dev
 *   command and the harness): a deployment without the binding drafts nothing and says English.
 * - **Rendering never waits on a model.** A request whose language lacks nothing (today: every
 *   one) does no work at all. Otherwise it reads this isolate's drafts, loaded from Postgres at
 *   most once a minute (a cold isolate waits for that one read, at most `FIRST_LOAD_MS`; a stale
 *   one is refreshed after the answer).
 */

export interface MessageTranslator {
  readonly name: string;
  /** `text` translated, or undefined when no translation is possible now. Never throws. */
  translate(text: string, from: Language, to: Language): Promise<string | undefined>;
}

export const TRANSLATE_MODEL = "@cf/meta/m2m100-1.2b";
/** Off the request path: a model may take its time, within reason. */
export const TRANSLATE_TIMEOUT_MS = 10_000;

/** The deterministic fake: the same text, tagged with the language it pretends to be in. */
export const fakeTranslator: MessageTranslator = {
  name: "fake",
  async translate(text, _from, to) {
    return `[${to}] ${text}`;
  },
};

/** The request m2m100 takes (Workers AI's translation schema). */
export function translationRequest(text: string, from: Language, to: Language) {
  return { text, source_lang: from, target_lang: to };
}

function translatedText(answer: unknown): string | undefined {
  const text = (answer as { translated_text?: unknown } | null)?.translated_text;
  return typeof text === "string" && text.trim() !== "" ? text : undefined;
}

/** The real adapter: the `AI` binding behind the edge's guarded model call. */
export function workersAiTranslator(
  ai: AiRunner,
  options: Partial<Pick<ModelGuard, "timeoutMs" | "now" | "breaker">> = {},
): MessageTranslator {
  const guard = modelGuard({ ...options, timeoutMs: options.timeoutMs ?? TRANSLATE_TIMEOUT_MS });
  return {
    name: TRANSLATE_MODEL,
    translate: (text, from, to) => askModel(ai, TRANSLATE_MODEL, translationRequest(text, from, to), translatedText, guard),
  };
}

/** This isolate's translator (one, so its breaker remembers failures across runs), or none where none is configured. */
let translator: MessageTranslator | null | undefined;
export function messageTranslator(env: Env): MessageTranslator | null {
  if (translator === undefined) {
    const ai = (env as Env & { AI?: AiRunner }).AI;
    translator = ai ? workersAiTranslator(ai) : (env.MACHINE_TRANSLATION_FAKE as string) === "true" ? fakeTranslator : null;
  }
  return translator;
}

// ── Drafts held for rendering ──

/** Languages whose catalogue lacks some of the API's messages: only these ever read drafts. */
const GAPS: ReadonlySet<Language> = new Set(DRAFT_LANGUAGES.filter((l) => keysToDraft(l).length > 0));

/** A minute: a review reaches other isolates within it (this isolate's at once). */
const DRAFTS_TTL_MS = 60_000;
/** After a failed load, the next try waits this long (rendering goes on in English meanwhile). */
const RETRY_MS = 10_000;
/** A cold isolate waits at most this long for its first read of a language's drafts. */
const FIRST_LOAD_MS = 1_000;

interface Held {
  messages: Record<string, string>;
  machine: Set<string>;
}
// One entry per language with gaps (three at most), each good for a minute; the stale one serves while a new one loads.
const held = new ExpiringMap<Language, Held>({ maxEntries: 8, ttlMs: DRAFTS_TTL_MS });
const loading = new Map<Language, Promise<void>>();

/** Drafts that apply: not rejected, and translating today's English (a draft of older English waits for a new one). */
function holdable(rows: readonly DraftRow[]): Map<Language, Held> {
  const out = new Map<Language, Held>();
  for (const row of rows) {
    const language = row.language as Language;
    const english = (CATALOGUES.en.messages as Record<string, string>)[row.key];
    if (row.status === "rejected" || english !== row.english) continue;
    if ((CATALOGUES[language]?.messages as Record<string, string> | undefined)?.[row.key] !== undefined) continue;
    const entry = out.get(language) ?? { messages: {}, machine: new Set<string>() };
    entry.messages[row.key] = row.text;
    if (row.status === "machine") entry.machine.add(row.key);
    out.set(language, entry);
  }
  return out;
}

function hold(languages: readonly Language[], rows: readonly DraftRow[]): void {
  const found = holdable(rows);
  for (const language of languages) held.set(language, found.get(language) ?? { messages: {}, machine: new Set() });
}

function load(env: Env, ctx: Reporter, language: Language): Promise<void> {
  const running = loading.get(language);
  if (running) return running;
  const work = guarded(env, ctx, "postgres", "postgres", () => httpDatabase(env).execute(draftsSql([language])))
    .then((result) => hold([language], (result.rows as Record<string, unknown>[]).map(draftRow)))
    .catch(() => {
      if (!held.stale(language)) held.set(language, { messages: {}, machine: new Set() }, RETRY_MS);
    })
    .finally(() => loading.delete(language));
  loading.set(language, work);
  return work;
}

function asLocaleDrafts(h: Held | undefined): LocaleDrafts | undefined {
  return h && Object.keys(h.messages).length > 0 ? { messages: h.messages, machine: h.machine, said: new Set() } : undefined;
}

/**
 * The drafts a request in `language` renders with, now: what this isolate holds (a stale entry
 * too, refreshed after the answer). Undefined for a language that lacks nothing.
 */
export function draftsNow(env: Env, ctx: Reporter, language: Language): LocaleDrafts | undefined {
  if (!GAPS.has(language)) return undefined;
  if (!held.has(language)) ctx.waitUntil(load(env, ctx, language));
  return asLocaleDrafts(held.stale(language));
}

/** As `draftsNow`, but a cold isolate first waits (at most `FIRST_LOAD_MS`) for its one read. */
export async function draftsFor(env: Env, ctx: Reporter, language: Language): Promise<LocaleDrafts | undefined> {
  if (!GAPS.has(language)) return undefined;
  if (held.stale(language) === undefined) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FIRST_LOAD_MS);
    });
    await Promise.race([load(env, ctx, language), deadline]).finally(() => clearTimeout(timer));
  }
  return draftsNow(env, ctx, language);
}

/** A locale with its language's drafts attached (a new object: locales are per request). */
export function withDrafts(c: Context<AppEnv>, locale: Locale): Locale {
  const drafts = draftsNow(c.env, c.executionCtx, locale.language);
  return drafts ? { ...locale, drafts } : locale;
}

/** What each language's drafts are, as rendering sees them: for `GET /v1/locales`. */
export async function heldDrafts(
  env: Env,
  ctx: Reporter,
  language: Language,
): Promise<{ machine: string[]; reviewed: string[] }> {
  const h = await draftsFor(env, ctx, language);
  const keys = Object.keys(h?.messages ?? {}).sort();
  return { machine: keys.filter((k) => h?.machine.has(k)), reviewed: keys.filter((k) => !h?.machine.has(k)) };
}

/** After a review: this isolate renders the new state at once. */
export function forgetDrafts(language: Language): void {
  held.delete(language);
}

// ── The drafting job ──

export interface DraftingResult {
  /** New machine drafts stored. */
  drafted: number;
  /** The translator gave no answer (failing, timed out, breaker open). */
  failed: number;
  /** It answered, but not with a message the catalogue could hold (placeholders lost). */
  unusable: number;
  /** Plural or select messages: not sent to a model, said in English until a person writes them. */
  keptInEnglish: number;
  /** Keys still without a draft after this run (over its limit, or failed). */
  remaining: number;
}

/** Most translator calls in one run: a run stays short, the next one carries on. */
export const DRAFTS_PER_RUN = 50;

/**
 * Drafts what the named languages' catalogues lack and no stored draft covers (a rejected draft
 * of today's English counts as covered: it is not drafted again until English changes).
 */
export async function draftMissing(
  env: Env,
  ctx: Reporter,
  options: { languages?: readonly DraftLanguage[]; limit?: number; now?: () => number } = {},
): Promise<DraftingResult> {
  const languages = (options.languages ?? DRAFT_LANGUAGES).filter((l) => GAPS.has(l));
  const result: DraftingResult = { drafted: 0, failed: 0, unusable: 0, keptInEnglish: 0, remaining: 0 };
  if (languages.length === 0) return result;
  const limit = options.limit ?? DRAFTS_PER_RUN;
  const now = options.now ?? Date.now;
  const english = CATALOGUES.en.messages as Record<string, string>;
  const { pool, db } = openPool(env);
  try {
    const stored = await guarded(env, ctx, "postgres", "postgres", () => db.execute(draftsSql(languages)));
    const covered = new Set(
      (stored.rows as Record<string, unknown>[])
        .map(draftRow)
        .filter((row) => row.english === english[row.key])
        .map((row) => `${row.language}\u0000${row.key}`),
    );
    const translate = messageTranslator(env);
    let calls = 0;
    for (const language of languages) {
      for (const key of keysToDraft(language)) {
        if (covered.has(`${language}\u0000${key}`)) continue;
        const source = english[key] as string;
        const masked = mask(source);
        if (!masked) {
          result.keptInEnglish += 1;
          continue;
        }
        if (!translate || calls >= limit) {
          result.remaining += 1;
          continue;
        }
        calls += 1;
        const answer = await translate.translate(masked.text, "en", language);
        if (answer === undefined) {
          result.failed += 1;
          result.remaining += 1;
          continue;
        }
        const checked = unmask(answer, masked.tokens, source);
        if (!checked.ok) {
          result.unusable += 1;
          result.remaining += 1;
          continue;
        }
        await guarded(env, ctx, "postgres", "postgres", () =>
          saveMachineDraft(db, {
            language,
            key,
            english: source,
            text: checked.message,
            author: translate.name,
            at: new Date(now()),
          }),
        );
        result.drafted += 1;
      }
    }
    if (result.drafted > 0) for (const language of languages) held.delete(language);
    return result;
  } finally {
    ctx.waitUntil(pool.end().catch(() => undefined));
  }
}

/** The cron's pass: nothing to do (and no query) while every catalogue is complete; never throws. */
export function draftOnSchedule(env: Env, ctx: Reporter): Promise<unknown> {
  if (GAPS.size === 0) return Promise.resolve();
  return draftMissing(env, ctx).catch((err) =>
    console.error(
      JSON.stringify({ level: "warn", message: "drafting missing messages failed", error: String(err).slice(0, 300) }),
    ),
  );
}
