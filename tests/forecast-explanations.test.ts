import { describe, expect, test } from "bun:test";
import { CircuitBreaker } from "../shared/kit/breaker";
import { type AiRunner, fakePolisher, POLISH_MODEL, workersAiPolisher } from "../workers/api/sentence-polish";

/**
 * A rider's explanation sentence, polished by Workers AI when it answers in time — and the plain
 * sentence whenever it does not: a slow model, a failing one, a nonsense answer, an open breaker.
 * The real adapter's request is checked as Workers AI would receive it.
 */

const PLAIN = "Prices are 1.4× near Madison Square Garden: a match just ended and drivers are few";

function recordingAi(answer: (n: number) => Promise<unknown>): AiRunner & { calls: Array<{ model: string; inputs: unknown }> } {
  const calls: Array<{ model: string; inputs: unknown }> = [];
  return {
    calls,
    run(model, inputs) {
      calls.push({ model, inputs });
      return answer(calls.length);
    },
  };
}

describe("explanations polished by Workers AI", () => {
  test("the request: the chosen text model, a system instruction naming the locale and the sentence as the user's", async () => {
    const ai = recordingAi(async () => ({ response: "Prices are 1.4× near Madison Square Garden because a match just ended." }));
    const polished = await workersAiPolisher(ai).polish(PLAIN, "en-US");
    expect(polished).toBe("Prices are 1.4× near Madison Square Garden because a match just ended.");
    expect(ai.calls).toHaveLength(1);
    const { model, inputs } = ai.calls[0] as {
      model: string;
      inputs: { messages: Array<{ role: string; content: string }>; max_tokens: number };
    };
    expect(model).toBe(POLISH_MODEL);
    expect(inputs.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(inputs.messages[0]?.content).toContain("en-US");
    expect(inputs.messages[0]?.content).toContain("Keep every number");
    expect(inputs.messages[1]?.content).toBe(PLAIN);
    expect(inputs.max_tokens).toBeGreaterThan(0);
  });

  test("too slow, failing or nonsense: the plain sentence, at once", async () => {
    const slow = recordingAi(() => new Promise((r) => setTimeout(() => r({ response: "late" }), 1000)));
    const started = Date.now();
    expect(await workersAiPolisher(slow, { timeoutMs: 50 }).polish(PLAIN, "en-US")).toBe(PLAIN);
    expect(Date.now() - started).toBeLessThan(500);
    const failing = recordingAi(async () => {
      throw new Error("AI unreachable");
    });
    expect(await workersAiPolisher(failing).polish(PLAIN, "vi-VN")).toBe(PLAIN);
    const rambling = recordingAi(async () => ({ response: "Sure! Here is the sentence:\nPrices are high." }));
    expect(await workersAiPolisher(rambling).polish(PLAIN, "en-US")).toBe(PLAIN);
  });

  test("after repeated failures the breaker opens: the model is not asked again until it may be", async () => {
    let t = 0;
    const failing = recordingAi(async () => {
      throw new Error("down");
    });
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, maxOpenMs: 60_000 }, () => 0.5);
    const polisher = workersAiPolisher(failing, { now: () => t, breaker });
    for (let i = 0; i < 5; i++) expect(await polisher.polish(PLAIN, "en-US")).toBe(PLAIN);
    expect(failing.calls.length).toBe(3);
    t += 60_000;
    await polisher.polish(PLAIN, "en-US");
    expect(failing.calls.length).toBe(4);
  });

  test("the deterministic fake: the same sentence tidied, every time", async () => {
    expect(await fakePolisher.polish("  prices are  1.4× here ", "en-US")).toBe("Prices are 1.4× here.");
    expect(await fakePolisher.polish(PLAIN, "en-US")).toBe(await fakePolisher.polish(PLAIN, "en-US"));
  });
});
