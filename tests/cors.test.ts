import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { cors } from "../workers/api/cors";

/**
 * CORS for an allow-list: the allowed origin, and only it, is named back; every answer varies by
 * Origin; a preflight is answered 204 before any route; and the route's own answer is the one
 * that goes out (its headers added in place, not on copies of it).
 */

const ALLOWED = "https://console.example";

function app() {
  const routed: Response[] = [];
  const hono = new Hono();
  hono.use(
    "*",
    cors({
      allow: (origin) => origin === ALLOWED,
      allowMethods: ["GET", "POST"],
      allowHeaders: ["authorization", "content-type"],
      exposeHeaders: ["x-request-id"],
      maxAgeSeconds: 600,
    }),
  );
  hono.get("/thing", () => {
    const res = new Response("ok", { headers: { vary: "accept-language" } });
    routed.push(res);
    return res;
  });
  return { hono, routed };
}

describe("CORS", () => {
  test("an allowed origin is named back with the exposed headers, on the route's own answer", async () => {
    const { hono, routed } = app();
    const res = await hono.request("/thing", { headers: { origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-expose-headers")).toBe("x-request-id");
    expect(res.headers.get("vary")).toBe("accept-language, Origin");
    expect(res).toBe(routed[0] as Response);
    expect(await res.text()).toBe("ok");
  });

  test("another origin, or none, gets no CORS grant but still varies by Origin", async () => {
    const asked: Record<string, string>[] = [{ origin: "https://evil.example" }, { origin: `${ALLOWED}.evil.example` }, {}];
    for (const headers of asked) {
      const { hono } = app();
      const res = await hono.request("/thing", { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(res.headers.get("access-control-expose-headers")).toBeNull();
      expect(res.headers.get("vary")).toBe("accept-language, Origin");
    }
  });

  test("a preflight is answered 204 before any route: methods, headers, max age; the origin only if allowed", async () => {
    const preflight = (origin: string) =>
      app().hono.request("/thing", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    const ok = await preflight(ALLOWED);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(ok.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(ok.headers.get("access-control-allow-headers")).toBe("authorization,content-type");
    expect(ok.headers.get("access-control-max-age")).toBe("600");
    expect(ok.headers.get("vary")).toBe("Origin");
    const refused = await preflight("https://evil.example");
    expect(refused.status).toBe(204);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });
});
