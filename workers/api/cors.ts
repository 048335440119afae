import type { Context, MiddlewareHandler } from "hono";
import { answerHeaders } from "./answer-headers";

/**
 * CORS for an allow-list of origins, as Hono's `cors` with a function for `origin` answers, but
 * with every header of an ordinary request added to the answer in place once the route made it
 * (`answerHeaders`). Hono's sets some on the context's answer before the route runs and appends
 * `Vary` with `c.header()` after it, which costs two copies of the whole Response per request.
 *
 * A preflight (`OPTIONS`) is answered here, 204: the allowed methods and headers, how long to
 * remember them, and the origin only when it is allowed. `Vary: Origin` on every answer, since
 * each depends on who asked.
 */
export interface CorsOptions {
  /** Whether an origin is allowed: asked once per request that names one. */
  allow: (origin: string, c: Context) => boolean;
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

export function cors(options: CorsOptions): MiddlewareHandler {
  const methods = options.allowMethods.join(",");
  const allowed = options.allowHeaders.join(",");
  const exposed = options.exposeHeaders.join(",");
  const maxAge = String(options.maxAgeSeconds);
  return async function cors(c, next) {
    const origin = c.req.header("origin");
    // The origin named back, when it is allowed; a request without one asks nothing.
    const granted = origin && options.allow(origin, c) ? origin : undefined;
    if (c.req.method === "OPTIONS") {
      const headers = new Headers({
        vary: "Origin",
        "access-control-allow-methods": methods,
        "access-control-allow-headers": allowed,
        "access-control-max-age": maxAge,
      });
      if (granted) {
        headers.set("access-control-allow-origin", granted);
        headers.set("access-control-expose-headers", exposed);
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    answerHeaders(
      c,
      granted
        ? [
            ["access-control-allow-origin", granted],
            ["access-control-expose-headers", exposed],
            ["vary", "Origin", "append"],
          ]
        : [["vary", "Origin", "append"]],
    );
  };
}
