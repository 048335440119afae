import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Glob } from "bun";
import { CATALOGUES, CatalogueSchema, completeness, placeholders, render } from "../shared/i18n/catalogue";
import { explanationMessage } from "../shared/i18n/explanation";
import { LANGUAGES, negotiate, supported, withMarket } from "../shared/i18n/locales";

/**
 * The catalogues as data: every file in shared/i18n/catalogues is a catalogue zod accepts, every
 * key any language has exists in English, every message parses as ICU MessageFormat, and each
 * translation asks for the same placeholders, of the same kinds, as the English it translates —
 * so no language can ask a caller for a value English never gives, or drop one it needs.
 */

const DIR = join(import.meta.dir, "../shared/i18n/catalogues");
const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
const consoleFiles = readdirSync(join(DIR, "console")).map((f) => `console/${f}`);

describe("the catalogues", () => {
  test("there is one per supported language, and each is valid data", () => {
    expect(files.map((f) => f.replace(/\.json$/, "")).sort()).toEqual([...LANGUAGES].sort());
    expect(consoleFiles.map((f) => f.replace(/^console\/|\.json$/g, "")).sort()).toEqual([...LANGUAGES].sort());
    for (const file of [...files, ...consoleFiles]) {
      const parsed = CatalogueSchema.safeParse(JSON.parse(readFileSync(join(DIR, file), "utf8")));
      expect(parsed.success ? file : `${file}: ${parsed.error?.message}`).toBe(file);
      expect(parsed.data?.language).toBe(file.replace(/^console\/|\.json$/g, "") as never);
    }
    expect(CATALOGUES.ar.direction).toBe("rtl");
  });

  test("every key of every language exists in English", () => {
    for (const language of LANGUAGES) {
      const strays = Object.keys(CATALOGUES[language].messages).filter((k) => !(k in CATALOGUES.en.messages));
      expect({ language, strays }).toEqual({ language, strays: [] });
    }
  });

  test("English, Vietnamese, Spanish and Arabic are complete", () => {
    for (const language of LANGUAGES)
      expect({ language, missing: completeness(language).missing }).toEqual({ language, missing: [] });
  });

  test("placeholders match English's, name for name and kind for kind", () => {
    const mismatches: string[] = [];
    for (const [key, english] of Object.entries(CATALOGUES.en.messages)) {
      const want = placeholders(english);
      for (const language of LANGUAGES) {
        const own = (CATALOGUES[language].messages as Record<string, string>)[key];
        if (own === undefined) continue;
        const got = placeholders(own);
        const same = got.size === want.size && [...want].every(([name, kind]) => got.get(name) === kind);
        if (!same) mismatches.push(`${language} ${key}: ${JSON.stringify([...got])} vs ${JSON.stringify([...want])}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test("the placeholder check sees nested and plural placeholders, and would catch a translator's slip", () => {
    expect([...placeholders("{n, plural, one {# day in {city}} other {# days}} {what, select, a {{x}} other {}}")]).toEqual([
      ["n", "number"],
      ["city", "text"],
      ["what", "select"],
      ["x", "text"],
    ]);
    expect(placeholders("Không có thị trường “{marketId}”.")).not.toEqual(
      placeholders(CATALOGUES.en.messages["problem.market-unknown"] ?? ""),
    );
  });

  test("every message formats in its own language with sample values", () => {
    for (const language of LANGUAGES) {
      for (const [key, message] of Object.entries(CATALOGUES[language].messages)) {
        const params = Object.fromEntries(
          [...placeholders(message)].map(([name, kind]) => [name, kind === "number" ? 3 : kind === "select" ? "other" : "x"]),
        );
        const out = render({ tag: language, language }, key as never, params);
        expect({ key, language: out.language }).toEqual({ key, language });
      }
    }
  });
});

describe("negotiation", () => {
  test("the query wins, then Accept-Language by preference, then the user's saved locale, then the market's", () => {
    const all = { query: "es-MX", accepted: ["vi-VN", "en"], user: "ar-EG", market: "en-US" };
    expect(negotiate(all)).toEqual({ tag: "es-MX", language: "es", source: "query" });
    expect(negotiate({ ...all, query: null })).toEqual({ tag: "vi-VN", language: "vi", source: "header" });
    expect(negotiate({ ...all, query: null, accepted: [] })).toEqual({ tag: "ar-EG", language: "ar", source: "user" });
    expect(negotiate({ market: "en-US" })).toEqual({ tag: "en-US", language: "en", source: "market" });
    expect(negotiate({})).toEqual({ tag: "en", language: "en", source: "default" });
  });

  test("a language without a catalogue is passed over, not an error", () => {
    expect(negotiate({ query: "fr", accepted: ["fr-FR", "de"], market: "vi-VN" }).tag).toBe("vi-VN");
    expect(negotiate({ query: "fr", accepted: ["fr-FR", "es-419"] })).toEqual({
      tag: "es-419",
      language: "es",
      source: "header",
    });
    expect(negotiate({ query: "not a tag!", accepted: ["x".repeat(200)] }).source).toBe("default");
    expect(supported("AR-eg", "query")?.tag).toBe("ar-EG");
  });

  test("the market's default fills in only what the caller left open", () => {
    expect(withMarket(negotiate({}), "vi-VN")).toEqual({ tag: "vi-VN", language: "vi", source: "market" });
    expect(withMarket(negotiate({ accepted: ["es"] }), "vi-VN").tag).toBe("es");
    expect(withMarket(negotiate({}), "fr-FR").tag).toBe("en");
  });
});

describe("rendering", () => {
  test("a missing or broken translation falls back to English instead of failing", () => {
    const vi = { tag: "vi-VN", language: "vi" as const };
    expect(render(vi, "problem.market-unknown", { market: "nyc" })).toEqual({
      text: "Không có thị trường “nyc”.",
      language: "vi",
    });
    // A placeholder the caller forgot: the message cannot be formatted, in any language.
    expect(render(vi, "problem.market-unknown").language).toBe("en");
  });
});

describe("the sentence for riders", () => {
  const calm = { ratio: 0.6, shown: 1, cap: 3, capApplied: null, thinData: false } as const;
  const say = (story: Parameters<typeof explanationMessage>[0]) => {
    const { key, params } = explanationMessage(story);
    return render({ tag: "en-US", language: "en" }, key, params).text;
  };

  test("follows the price's story: calm, thin, surging, at the cap, held by an operator, easing, degraded", () => {
    expect(say({ explanation: calm, multiplier: 1 })).toStartWith("Prices are normal here: there are enough drivers");
    expect(say({ explanation: { ...calm, thinData: true }, multiplier: 1 })).toContain("too little recent activity");
    const busy = { ...calm, ratio: 2.34, shown: 1.8 };
    expect(say({ explanation: busy, multiplier: 1.8 })).toBe(
      "Prices are higher because demand near your pickup is 2.3× the drivers available.",
    );
    // The cap binds the target before smoothing reaches it: only at the cap does the sentence say so.
    expect(say({ explanation: { ...busy, capApplied: "market" }, multiplier: 1.8 })).toStartWith("Prices are higher");
    expect(say({ explanation: { ...busy, ratio: 9, shown: 3, capApplied: "market" }, multiplier: 3 })).toContain(
      "the most this market allows",
    );
    expect(say({ explanation: busy, multiplier: 1.5, capped: true })).toStartWith("Prices are held at 1.5×");
    expect(say({ explanation: { ...busy, ratio: 0.9 }, multiplier: 1.3 })).toStartWith("Prices are still 1.3× but coming down");
    expect(say({ explanation: busy, multiplier: 1.8, degraded: true })).toContain("last known level, 1.8×");
  });
});

describe("problems in the code", () => {
  test("every problem the edge makes names a code, never inline English", () => {
    const inline = /(ProblemError|problemResponse)\(\s*(c,\s*)?\d+,\s*[`"']/g;
    const found: string[] = [];
    for (const file of new Glob("{workers,durable-objects}/**/*.ts").scanSync(join(import.meta.dir, ".."))) {
      const text = readFileSync(join(import.meta.dir, "..", file), "utf8");
      for (const m of text.matchAll(inline)) found.push(`${file}: ${text.slice(m.index, m.index + 60)}`);
    }
    expect(found).toEqual([]);
  });
});
