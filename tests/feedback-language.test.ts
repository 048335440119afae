import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";

/**
 * A rider's note about a price, in their own words, on the running platform: the note's language
 * is detected and, unless the rider named a language for this answer or saved one, the reply is
 * in the language they wrote in — whatever their phone's Accept-Language says.
 */

let p: Platform;

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
});
afterAll(async () => {
  await p.dispose();
});

interface Answer {
  feedbackId: string;
  detected: { language: string; confidence: number } | null;
  locale: string;
  message: string;
  code?: string;
}

async function send(body: unknown, headers: Record<string, string> = {}, who = p.as("rider"), query = "") {
  const res = await who.fetch(`/v1/feedback${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, language: res.headers.get("content-language"), body: (await res.json()) as Answer };
}

describe("a note about a price", () => {
  test("written in Vietnamese from an English phone in New York: answered in Vietnamese, and stored with what was detected", async () => {
    const res = await send(
      { market: "nyc", note: "Tôi chỉ đi có hai cây số mà phải trả gần một trăm nghìn.", quoteId: "q_1" },
      { "accept-language": "en-US" },
    );
    expect(res.status).toBe(201);
    expect([res.language, res.body.locale, res.body.detected?.language]).toEqual(["vi", "vi", "vi"]);
    expect(res.body.message).toStartWith("Cảm ơn bạn");
    const row = psql(
      p.database.target,
      p.database.name,
      `select market_id || '|' || detected_language || '|' || reply_locale || '|' || quote_id from feedback_notes where id = '${res.body.feedbackId}'`,
    ).trim();
    expect(row).toBe("nyc|vi|vi|q_1");
  });

  test("the region comes from the caller's or the market's tag of that language", async () => {
    const spanish = await send(
      { market: "nyc", note: "¿Por qué el precio está tan alto ahora?" },
      { "accept-language": "en-US, es-MX;q=0.5" },
    );
    expect([spanish.language, spanish.body.message.startsWith("Gracias")]).toEqual(["es-MX", true]);
    const vi = await send({ market: "hcm", note: "Sao giá hôm nay cao thế, trời có mưa đâu?" }, { "accept-language": "en" });
    expect(vi.language).toBe("vi-VN");
    const arabic = await send({ market: "hcm", note: "لماذا السعر مرتفع جدا الآن؟" });
    expect([arabic.language, arabic.body.detected]).toEqual(["ar", { language: "ar", confidence: 1 }]);
  });

  test("an explicit ?locale= or a saved locale wins over the note's language", async () => {
    const note = { market: "nyc", note: "Tôi chỉ đi có hai cây số mà phải trả gần một trăm nghìn." };
    expect((await send(note, {}, p.as("rider"), "?locale=es")).language).toBe("es");
    const saved = await send(note, {}, p.as("rider", { subject: "amira", locale: "ar-EG" }));
    expect([saved.language, saved.body.detected?.language]).toEqual(["ar-EG", "vi"]);
  });

  test("a note too short to tell: the usual order (the header, else the market's language)", async () => {
    const short = await send({ market: "hcm", note: "ok" });
    expect([short.status, short.body.detected, short.language]).toEqual([201, null, "vi-VN"]);
    expect((await send({ market: "hcm", note: "ok" }, { "accept-language": "es" })).language).toBe("es");
  });

  test("bad input is a 4xx problem and stores nothing; only riders, drivers and partners send notes", async () => {
    const count = () => psql(p.database.target, p.database.name, "select count(*) from feedback_notes").trim();
    const before = count();
    expect((await send({ market: "nyc", note: "   " })).status).toBe(422);
    expect((await send({ market: "nyc", note: "x".repeat(2001) })).status).toBe(422);
    expect((await send({ market: "nyc", note: "a\u0000b and more text" })).status).toBe(422);
    expect((await send({ market: "atlantis", note: "Why is the price so high right now?" })).body.code).toBe("market-unknown");
    expect(
      (await send({ market: "hcm", note: "Why is the price so high?" }, {}, p.as("rider", { markets: ["nyc"] }))).status,
    ).toBe(403);
    expect((await send({ market: "nyc", note: "Why is the price so high?" }, {}, p.as("operator"))).status).toBe(403);
    expect(count()).toBe(before);
  });
});
