import { describe, expect, test } from "bun:test";
import { CATALOGUES, render } from "../shared/i18n/catalogue";
import { checkDraft, keysToDraft, mask, unmask } from "../shared/i18n/drafts";
import { renderMessage } from "../shared/i18n/render";
import { CircuitBreaker } from "../shared/kit/breaker";
import { fakeTranslator, TRANSLATE_MODEL, workersAiTranslator } from "../workers/api/translation";
import type { AiRunner } from "../workers/api/workers-ai";

/**
 * Machine drafts of missing catalogue messages, the pure part and the adapter: what a model is
 * sent (a sentence with numbered tokens, never ICU syntax), what of its answer is kept (only a
 * message with English's placeholders), how rendering uses a draft where the catalogue has no
 * message, and the Workers AI request as its translation schema documents it.
 */

const MARKET_UNKNOWN = 'There is no market "{market}".';

function recordingAi(answer: (inputs: Record<string, unknown>) => Promise<unknown>) {
  const calls: Array<{ model: string; inputs: Record<string, unknown> }> = [];
  const ai: AiRunner & { calls: typeof calls } = {
    calls,
    run: (model, inputs) => {
      calls.push({ model, inputs });
      return answer(inputs);
    },
  };
  return ai;
}

describe("what a translator is sent and what is kept", () => {
  test("placeholders travel as numbered tokens and come back as English wrote them", () => {
    const masked = mask("Emergency cap {cap, number}× until {until}: {reason}");
    expect(masked).toEqual({ text: "Emergency cap {0}× until {1}: {2}", tokens: ["{cap, number}", "{until}", "{reason}"] });
    const back = unmask(
      "Trần khẩn cấp {0}× đến {1}: {2}",
      masked?.tokens ?? [],
      "Emergency cap {cap, number}× until {until}: {reason}",
    );
    expect(back).toEqual({ ok: true, message: "Trần khẩn cấp {cap, number}× đến {until}: {reason}" });
  });

  test("plural and select messages are not sent: a model would translate their syntax", () => {
    expect(mask("{n, plural, one {# day} other {# days}}")).toBeUndefined();
    expect(mask("must be {expected, select, number {a number} other {of another type}}")).toBeUndefined();
  });

  test("an answer that lost, doubled or invented a placeholder is refused; apostrophes stay literal", () => {
    const { tokens } = mask(MARKET_UNKNOWN) ?? { tokens: [] };
    expect(unmask("Không có thị trường.", tokens, MARKET_UNKNOWN).ok).toBe(false);
    expect(unmask("{0} {0}", tokens, MARKET_UNKNOWN).ok).toBe(false);
    expect(unmask("{0} {1}", tokens, MARKET_UNKNOWN).ok).toBe(false);
    expect(unmask("{market} «{0}»", tokens, MARKET_UNKNOWN).ok).toBe(false);
    const quoted = unmask("l'marché '{0}'", tokens, MARKET_UNKNOWN);
    expect(quoted).toEqual({ ok: true, message: "l''marché ''{market}''" });
    const drafts = {
      messages: { "problem.market-unknown": quoted.ok ? quoted.message : "" },
      machine: new Set<string>(),
      said: new Set<string>(),
    };
    // Rendered as written, in a catalogue that lacks the key: the apostrophes are text, the placeholder is filled.
    const out = renderMessage({}, CATALOGUES.en.messages, { tag: "fr", language: "vi", drafts }, "problem.market-unknown", {
      market: "x",
    });
    expect(out).toEqual({ text: "l'marché 'x'", language: "vi", draft: "reviewed" });
  });

  test("an admin's text is checked like a translator's: ICU, English's placeholders of the same kinds", () => {
    expect(checkDraft("Không có “{market}”.", MARKET_UNKNOWN).ok).toBe(true);
    expect(checkDraft("Không có “{marketId}”.", MARKET_UNKNOWN)).toEqual({ ok: false, reason: "asks for {marketId} instead" });
    expect(checkDraft("Không có “{market”.", MARKET_UNKNOWN).ok).toBe(false);
    expect(checkDraft("{market, number}", MARKET_UNKNOWN).ok).toBe(false);
  });

  test("every shipped catalogue is complete: nothing to draft today", () => {
    expect([keysToDraft("vi"), keysToDraft("es"), keysToDraft("ar"), keysToDraft("en")]).toEqual([[], [], [], []]);
  });
});

describe("rendering with drafts", () => {
  const missing = "problem.market-unknown";
  const gap = (status: "machine" | "reviewed") => ({
    messages: { [missing]: "[vi] There is no market “{market}”." },
    machine: new Set(status === "machine" ? [missing] : []),
    said: new Set<string>(),
  });

  test("the catalogue's own message wins; a draft is said only for what it lacks, and a machine's is recorded", () => {
    const drafts = gap("machine");
    // Vietnamese has the key: its own message, the draft unused.
    const own = render({ tag: "vi-VN", language: "vi", drafts }, missing, { market: "m" });
    expect(own).toEqual({ text: "Không có thị trường “m”.", language: "vi" });
    expect(drafts.said.size).toBe(0);
    // A catalogue without it: the machine's draft, recorded for the answer's header.
    const vi = { tag: "vi-VN", language: "vi" as const, drafts };
    expect(renderMessage({}, CATALOGUES.en.messages, vi, missing, { market: "m" })).toEqual({
      text: "[vi] There is no market “m”.",
      language: "vi",
      draft: "machine",
    });
    expect([...drafts.said]).toEqual([missing]);
  });

  test("a reviewed draft is not recorded as a machine's; no draft, or one that cannot be filled: English", () => {
    const drafts = gap("reviewed");
    const vi = { tag: "vi-VN", language: "vi" as const, drafts };
    expect(renderMessage({}, CATALOGUES.en.messages, vi, missing, { market: "m" }).draft).toBe("reviewed");
    expect(drafts.said.size).toBe(0);
    expect(renderMessage({}, CATALOGUES.en.messages, { tag: "vi", language: "vi" }, missing, { market: "m" })).toEqual({
      text: 'There is no market "m".',
      language: "en",
    });
    const broken = { ...drafts, messages: { [missing]: "{nope} “{market}”" } };
    expect(renderMessage({}, CATALOGUES.en.messages, { ...vi, drafts: broken }, missing, { market: "m" }).language).toBe("en");
  });
});

describe("the Workers AI adapter", () => {
  test("asks m2m100 with {text, source_lang, target_lang} and keeps translated_text", async () => {
    const ai = recordingAi(async () => ({ translated_text: "Không có thị trường “{0}”." }));
    const out = await workersAiTranslator(ai).translate('There is no market "{0}".', "en", "vi");
    expect(out).toBe("Không có thị trường “{0}”.");
    expect(ai.calls).toEqual([
      { model: "@cf/meta/m2m100-1.2b", inputs: { text: 'There is no market "{0}".', source_lang: "en", target_lang: "vi" } },
    ]);
    expect(TRANSLATE_MODEL).toBe("@cf/meta/m2m100-1.2b");
  });

  test("failing, empty or too slow: no translation, never a throw; the breaker then stops asking", async () => {
    const failing = recordingAi(async () => {
      throw new Error("AI unreachable");
    });
    let t = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, maxOpenMs: 60_000 }, () => 0.5);
    const translator = workersAiTranslator(failing, { now: () => t, breaker });
    for (let i = 0; i < 5; i++) expect(await translator.translate("Hello {0}", "en", "es")).toBeUndefined();
    expect(failing.calls.length).toBe(3);
    t += 60_000;
    await translator.translate("Hello {0}", "en", "es");
    expect(failing.calls.length).toBe(4);
    expect(
      await workersAiTranslator(recordingAi(async () => ({ translated_text: "  " }))).translate("x", "en", "ar"),
    ).toBeUndefined();
    const slow = recordingAi(() => new Promise((r) => setTimeout(() => r({ translated_text: "late" }), 1000)));
    expect(await workersAiTranslator(slow, { timeoutMs: 20 }).translate("x", "en", "vi")).toBeUndefined();
  });

  test("the fake: deterministic, tokens untouched, visibly not a translation", async () => {
    expect(await fakeTranslator.translate('There is no market "{0}".', "en", "es")).toBe('[es] There is no market "{0}".');
  });
});
