import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { base32Decode, totpAt } from "../shared/kit/totp";

/**
 * Which language an answer speaks, on the running platform (the real bundle in workerd): the
 * caller's `?locale=`, then its `Accept-Language`, then its saved locale, then the market's
 * default, then English — `Content-Language` on every answer says which won, and a language the
 * platform does not speak falls through to the next step rather than failing. Under a burst of
 * concurrent callers in different languages, each answer is in its own caller's language.
 */

let p: Platform;
let rider: Client;

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
  rider = p.as("rider");
});
afterAll(async () => {
  await p.dispose();
});

interface Problem {
  title: string;
  status: number;
  code: string;
  detail: string;
}

async function ask(client: Client, path: string, headers: Record<string, string> = {}) {
  const res = await client.fetch(path, { headers });
  return { status: res.status, language: res.headers.get("content-language"), body: (await res.json()) as Problem };
}

describe("negotiation on the platform", () => {
  test("a rider asking in no language reads a Ho Chi Minh City market's answers in Vietnamese, a New York one's in English", async () => {
    expect((await ask(rider, "/v1/markets/hcm")).language).toBe("vi-VN");
    expect((await ask(rider, "/v1/markets/nyc")).language).toBe("en-US");
    // No market at all: English.
    expect((await ask(rider, "/v1/markets")).language).toBe("en");
  });

  test("?locale= beats Accept-Language, which beats the saved locale, which beats the market's", async () => {
    const saved = p.as("rider", { subject: "amira", locale: "ar-EG" });
    expect((await ask(saved, "/v1/markets/hcm?locale=es-MX", { "accept-language": "vi" })).language).toBe("es-MX");
    expect((await ask(saved, "/v1/markets/hcm", { "accept-language": "fr;q=1, es;q=0.8, vi;q=0.5" })).language).toBe("es");
    expect((await ask(saved, "/v1/markets/hcm")).language).toBe("ar-EG");
    expect((await ask(rider, "/v1/markets/nyc", { "accept-language": "vi-VN" })).language).toBe("vi-VN");
  });

  test("an error asked for in French falls back to English, with its code and without breaking", async () => {
    const res = await ask(rider, "/v1/markets/atlantis?locale=fr", { "accept-language": "fr-FR,fr;q=0.9" });
    expect(res.status).toBe(404);
    expect(res.language).toBe("en");
    expect(res.body).toMatchObject({
      title: "Not found",
      code: "market-unknown",
      detail: 'There is no market "atlantis".',
    });
  });

  test("the same error in Vietnamese, Spanish and Arabic keeps its code and says it in each language", async () => {
    const said = await Promise.all(
      ["vi-VN", "es", "ar-EG"].map((tag) => ask(rider, "/v1/markets/atlantis", { "accept-language": tag })),
    );
    expect(said.map((r) => [r.language, r.body.code, r.body.title, r.body.detail])).toEqual([
      ["vi-VN", "market-unknown", "Không tìm thấy", "Không có thị trường “atlantis”."],
      ["es", "market-unknown", "No encontrado", "No existe el mercado «atlantis»."],
      ["ar-EG", "market-unknown", "غير موجود", "لا يوجد سوق «atlantis»."],
    ]);
  });

  test("problems made before any route runs are localized too: no route, no token", async () => {
    const none = await ask(p.as(null), "/v1/nowhere", { "accept-language": "es" });
    expect([none.status, none.language, none.body.code]).toEqual([404, "es", "no-route"]);
    expect(none.body.detail).toBe("No hay ruta para GET /v1/nowhere. Consulte /docs.");
    const anonymous = await ask(p.as(null), "/v1/markets", { "accept-language": "vi" });
    expect([anonymous.status, anonymous.language, anonymous.body.code]).toEqual([401, "vi", "token-required"]);
  });

  test("a hundred concurrent callers in four languages each get their own", async () => {
    const tags = ["vi-VN", "en-US", "ar-EG", "es-419"];
    const expected: Record<string, string> = {
      "vi-VN": "Không có thị trường “m",
      "en-US": 'There is no market "m',
      "ar-EG": "لا يوجد سوق «m",
      "es-419": "No existe el mercado «m",
    };
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const tag = tags[i % tags.length] as string;
        return ask(rider, `/v1/markets/m${i}`, { "accept-language": tag }).then((r) => ({ i, tag, ...r }));
      }),
    );
    const wrong = answers.filter(
      (a) => a.language !== a.tag || !a.body.detail.startsWith(`${expected[a.tag]}${a.i}`) || a.body.code !== "market-unknown",
    );
    expect(wrong.map((a) => `${a.i} ${a.tag}: ${a.language} ${a.body.detail}`)).toEqual([]);
  });

  test("a user's saved locale comes with their sign-in", async () => {
    const admin = p.as("admin");
    const created = await admin.json<{ totp: { secret: string } }>("/v1/admin/users", {
      email: "lan@example.com",
      roles: ["operator"],
      markets: ["hcm"],
      password: "a long enough passphrase",
      locale: "vi-VN",
    });
    expect(created.status).toBe(201);
    const totp = await totpAt(base32Decode(created.body.totp.secret), Math.floor(Date.now() / 30_000));
    const signIn = await p.json<{ access_token: string }>("/v1/auth/token", {
      grant_type: "password",
      email: "lan@example.com",
      password: "a long enough passphrase",
      totp,
    });
    expect(signIn.status).toBe(200);
    // Her token asks for nothing; a New York market would default to English.
    expect((await ask(p.as(signIn.body.access_token), "/v1/markets/nyc")).language).toBe("vi-VN");
    // Saving a language the platform does not speak is refused, by field.
    const refused = await admin.json<Problem>("/v1/admin/users", {
      email: "jean@example.com",
      roles: ["operator"],
      markets: ["hcm"],
      locale: "fr-FR",
    });
    expect([refused.status, refused.body.code]).toEqual([422, "invalid-body"]);
  });
});

describe("the languages the platform speaks", () => {
  test("GET /v1/locales lists each catalogue with its completeness, to anyone", async () => {
    const res = await p.as(null).fetch("/v1/locales");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      default: string;
      locales: Array<{ language: string; direction: string; completeness: number; missing: string[]; messages: number }>;
    };
    expect(body.default).toBe("en");
    expect(body.locales.map((l) => [l.language, l.direction, l.completeness])).toEqual([
      ["en", "ltr", 1],
      ["vi", "ltr", 1],
      ["es", "ltr", 1],
      ["ar", "rtl", 1],
    ]);
    expect(body.locales[0]?.messages).toBeGreaterThan(100);
  });

  test("the OpenAPI document lists every problem code, and problems reference that list", async () => {
    const doc = (await (await p.fetch("/openapi.json")).json()) as {
      components: { schemas: Record<string, { enum?: string[] }> };
    };
    const codes = doc.components.schemas.ProblemCode?.enum ?? [];
    for (const code of ["market-unknown", "token-required", "no-route", "rate-limited", "invalid-body", "not-found"])
      expect(codes).toContain(code);
  });
});
