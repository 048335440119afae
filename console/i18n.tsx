/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import english from "../shared/i18n/catalogues/console/en.json";
import { formatTime } from "../shared/i18n/format";
import { direction, LANGUAGES, type Language, type Locale, negotiate } from "../shared/i18n/locales";
import { type MessageParams, type Messages, renderMessage } from "../shared/i18n/render";

/**
 * The console's language: chosen with the switcher (kept in localStorage), else the browser's,
 * else English. English ships with the page; another catalogue loads when chosen. The page's
 * `lang` and `dir` follow (Arabic lays out right to left), the API is asked in the same language
 * (`Accept-Language`, so its problems and sentences match), and times are shown on the market's
 * clock with its zone's abbreviation, whatever the browser's time zone.
 */

const KEY = "equilibrium.locale";
type ConsoleKey = keyof typeof english.messages & `console.${string}`;

const CATALOGUES: Record<Exclude<Language, "en">, () => Promise<{ default: { messages: Messages } }>> = {
  vi: () => import("../shared/i18n/catalogues/console/vi.json"),
  es: () => import("../shared/i18n/catalogues/console/es.json"),
  ar: () => import("../shared/i18n/catalogues/console/ar.json"),
};

/** A language as a whole tag: the browser's own region for it if it has one, else the language's likeliest. */
function tagFor(language: Language): string {
  const own = navigator.languages.find((tag) => tag.toLowerCase().split("-")[0] === language);
  if (own?.includes("-")) return own;
  const region = new Intl.Locale(language).maximize().region;
  return region ? `${language}-${region}` : language;
}

function initialLocale(): Locale {
  return negotiate({ query: localStorage.getItem(KEY), accepted: navigator.languages });
}

let current: Locale = initialLocale();
/** The tag the API is asked in (`Accept-Language`). */
export const apiLanguage = () => current.tag;

export interface Words {
  locale: Locale;
  /** A console message in the chosen language (English where it has none). */
  t(key: ConsoleKey, params?: MessageParams): string;
  /** A number with fixed decimals, in the chosen language's digits. */
  n(value: number, digits?: number): string;
  /** A moment on a market's clock with its zone's abbreviation. */
  time(at: string | number, timeZone: string): string;
  choose(language: Language): void;
}

function words(locale: Locale, messages: Messages | undefined, choose: (l: Language) => void): Words {
  return {
    locale,
    t: (key, params) => renderMessage(messages, english.messages, locale, key, params).text,
    n: (value, digits = 1) => value.toLocaleString(locale.tag, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
    time: (at, timeZone) => formatTime(typeof at === "number" ? at : Date.parse(at), timeZone, locale.tag, { seconds: true }),
    choose,
  };
}

const WordsContext = createContext<Words>(words(current, english.messages, () => undefined));

export function useWords(): Words {
  return useContext(WordsContext);
}

/** Provides the chosen language to everything below it; a new choice loads its catalogue, then redraws. */
export function Languages({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<{ locale: Locale; messages: Messages | undefined }>({
    locale: current,
    messages: current.language === "en" ? english.messages : undefined,
  });
  const choose = async (language: Language) => {
    const locale: Locale = { tag: tagFor(language), language, source: "user" };
    const messages = language === "en" ? english.messages : (await CATALOGUES[language]()).default.messages;
    localStorage.setItem(KEY, locale.tag);
    current = locale;
    setState({ locale, messages });
  };
  useEffect(() => {
    if (!state.messages) void choose(state.locale.language);
  }, []);
  useEffect(() => {
    document.documentElement.lang = state.locale.tag;
    document.documentElement.dir = direction(state.locale.language);
  }, [state.locale.tag]);
  if (!state.messages) return null;
  return (
    <WordsContext.Provider value={words(state.locale, state.messages, (l) => void choose(l))}>
      {/* A new language remounts the page: what was fetched in the old one is asked again. */}
      <div key={state.locale.tag} class="language-root">
        {children}
      </div>
    </WordsContext.Provider>
  );
}

/** The languages the API speaks (`GET /v1/locales`), each named in itself; the codes until it answers. */
export function LanguageSwitcher() {
  const { locale, t, choose } = useWords();
  const [names, setNames] = useState<Partial<Record<Language, string>>>({});
  useEffect(() => {
    fetch("/v1/locales")
      .then((res) => res.json() as Promise<{ locales: Array<{ language: Language; name: string }> }>)
      .then((body) => setNames(Object.fromEntries(body.locales.map((l) => [l.language, l.name]))))
      .catch(() => undefined);
  }, []);
  return (
    <label class="language-select">
      <span class="visually-hidden">{t("console.language")}</span>
      <select
        value={locale.language}
        data-testid="language"
        onChange={(e) => choose(e.currentTarget.value as Language)}
        title={t("console.language")}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {names[language] ?? language}
          </option>
        ))}
      </select>
    </label>
  );
}
