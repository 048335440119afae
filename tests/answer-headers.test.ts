import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { answerHeaders } from "../workers/api/answer-headers";

/**
 * Headers added after the route answered: in place on an answer the Worker made, on one copy of
 * an answer whose headers cannot change (as the runtime guards those of a response it proxied).
 */

/** A response whose headers refuse every change, as workerd's are on a proxied response. */
function immutable(body: string): Response {
  const res = new Response(body, { status: 202, headers: { "content-type": "text/plain", "x-from": "object" } });
  const guard = new Headers(res.headers);
  for (const method of ["set", "append", "delete"] as const)
    Object.defineProperty(guard, method, {
      value: () => {
        throw new TypeError("Can't modify immutable headers.");
      },
    });
  Object.defineProperty(res, "headers", { value: guard });
  return res;
}

function app(answer: () => Response) {
  const seen: { before?: Response; after?: Response } = {};
  const hono = new Hono();
  hono.use("*", async (c, next) => {
    await next();
    seen.before = c.res;
    answerHeaders(c, [
      ["x-request-id", "r-1"],
      ["vary", "accept-language", "append"],
      ["ratelimit-limit", "600"],
    ]);
    seen.after = c.res;
  });
  hono.get("/", () => answer());
  return { hono, seen };
}

describe("headers added to an answer", () => {
  test("go into the Worker's own answer in place, appended where asked", async () => {
    const { hono, seen } = app(() => new Response("ok", { headers: { vary: "origin" } }));
    const res = await hono.request("/");
    expect(seen.after).toBe(seen.before as Response);
    expect(res.headers.get("x-request-id")).toBe("r-1");
    expect(res.headers.get("ratelimit-limit")).toBe("600");
    expect(res.headers.get("vary")).toBe("origin, accept-language");
    expect(await res.text()).toBe("ok");
  });

  test("reach an answer whose headers cannot change on one copy, its status, headers and body kept", async () => {
    const { hono, seen } = app(() => immutable("from the object"));
    const res = await hono.request("/");
    expect(seen.after).not.toBe(seen.before as Response);
    expect(res.status).toBe(202);
    expect(res.headers.get("x-from")).toBe("object");
    expect(res.headers.get("x-request-id")).toBe("r-1");
    expect(res.headers.get("vary")).toBe("accept-language");
    expect(res.headers.get("ratelimit-limit")).toBe("600");
    expect(await res.text()).toBe("from the object");
  });
});
