import { type MessageFormatElement, parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { CATALOGUES, placeholders } from "./catalogue";
import api from "./catalogues/en.json";
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from "./locales";

/**
 * Drafts of messages a catalogue lacks, made by machine translation and reviewed by an admin,
 * pure: which keys need one, what a translator is sent, and whether what comes back is a message
 * the catalogue could hold. The edge stores drafts and runs the translator
 * (`workers/api/translation.ts`); rendering uses a draft only where the catalogue has no message.
 *
 * A translator is sent a sentence, never ICU syntax: each placeholder becomes a numbered token
 * (`{0}`, `{1}`) that translation models copy as they copy numbers, and comes back as it was
 * (`{market}`, `{cap, number}`). Messages with plural or select branches are not sent: a model
 * would translate their syntax too. They stay in English until a person writes them. A draft is
 * kept only when it parses and asks for exactly English's placeholders, of the same kinds.
 */

/** Keys the API renders (the console's own messages are its catalogue's business). */
const API_KEYS: readonly string[] = Object.keys(api.messages);

/** Languages drafts are made for: every one but the reference. */
export const DRAFT_LANGUAGES = LANGUAGES.filter((l) => l !== DEFAULT_LANGUAGE) as Exclude<Language, "en">[];
export type DraftLanguage = (typeof DRAFT_LANGUAGES)[number];

/** Keys of the API's messages that English has and this language's catalogue lacks. */
export function keysToDraft(language: Language): string[] {
  if (language === DEFAULT_LANGUAGE) return [];
  const own = CATALOGUES[language].messages as Record<string, string>;
  return API_KEYS.filter((key) => own[key] === undefined);
}

export interface Masked {
  /** What the translator is sent: English with numbered tokens for its placeholders. */
  text: string;
  /** Each token's placeholder as English writes it, by number. */
  tokens: string[];
}

/**
 * English's message as a translator may be sent it, or undefined for one with plural, select or
 * tag syntax (it stays in English).
 *
 * @example mask("There is no market \"{market}\".") // { text: "There is no market \"{0}\".", tokens: ["{market}"] }
 */
export function mask(english: string): Masked | undefined {
  let elements: MessageFormatElement[];
  try {
    elements = parse(english, { captureLocation: true });
  } catch {
    return undefined;
  }
  const tokens: string[] = [];
  let text = "";
  for (const el of elements) {
    if (el.type === TYPE.literal) text += el.value;
    else if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) {
      const at = el.location;
      if (!at) return undefined;
      text += `{${tokens.length}}`;
      tokens.push(english.slice(at.start.offset, at.end.offset));
    } else return undefined;
  }
  return { text, tokens };
}

export type Checked = { ok: true; message: string } | { ok: false; reason: string };

/**
 * A translator's answer back in ICU form, checked: every token once and nothing else in braces,
 * apostrophes kept literal, the result parses and asks for English's placeholders.
 *
 * @example unmask("Không có thị trường “{0}”.", ["{market}"], english) // { ok: true, message: "Không có thị trường “{market}”." }
 */
export function unmask(translated: string, tokens: readonly string[], english: string): Checked {
  const text = translated.trim();
  if (text === "") return { ok: false, reason: "is empty" };
  const seen = new Set<number>();
  let broken = false;
  const message = text.replaceAll("'", "''").replace(/\{\s*(\d+)\s*\}|[{}]/g, (match, n: string | undefined) => {
    const i = n === undefined ? -1 : Number(n);
    const token = tokens[i];
    if (token === undefined || seen.has(i)) {
      broken = true;
      return match;
    }
    seen.add(i);
    return token;
  });
  if (broken || seen.size !== tokens.length) return { ok: false, reason: "loses or changes a placeholder" };
  return checkDraft(message, english);
}

/**
 * Whether `message` can stand for `english` in a catalogue: valid ICU MessageFormat with the same
 * placeholders, of the same kinds (as the catalogue test demands of translators), at most 1000
 * characters.
 */
export function checkDraft(message: string, english: string): Checked {
  if (message.trim() === "" || message.length > 1000) return { ok: false, reason: "is empty or over 1000 characters" };
  let got: Map<string, string>;
  try {
    got = placeholders(message);
  } catch (err) {
    return { ok: false, reason: `is not ICU MessageFormat (${(err as Error).message})` };
  }
  const want = placeholders(english);
  const same = got.size === want.size && [...want].every(([name, kind]) => got.get(name) === kind);
  return same ? { ok: true, message } : { ok: false, reason: `asks for ${describe(got)} instead` };
}

/** English's placeholders as an admin reads them: "{market}, {cap} (number)". */
export function describePlaceholders(english: string): string {
  return describe(placeholders(english)) || "none";
}

function describe(found: Map<string, string>): string {
  return [...found].map(([name, kind]) => (kind === "text" ? `{${name}}` : `{${name}} (${kind})`)).join(", ") || "none";
}
