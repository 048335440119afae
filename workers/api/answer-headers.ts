import type { Context } from "hono";

/**
 * Headers a middleware adds to an answer once the route has made it (after `await next()`).
 *
 * Hono's `c.header()` at that point copies the whole Response for every header it sets (an
 * answer's headers may be immutable, e.g. one proxied from a Durable Object), so a request that
 * passed through a few such middlewares was copied ten times over. Here headers go into the
 * answer in place, as Hono's own `secureHeaders` puts its; only an answer whose
 * headers cannot change is copied, once, by the first header that meets it.
 *
 * @example
 * await next();
 * answerHeaders(c, [["x-request-id", id], ["vary", "accept-language", "append"]]);
 */
export function answerHeaders(c: Context, headers: ReadonlyArray<readonly [string, string, "append"?]>): void {
  for (const [name, value, append] of headers) {
    try {
      if (append) c.res.headers.append(name, value);
      else c.res.headers.set(name, value);
    } catch {
      // Immutable headers: Hono copies the answer into one whose headers are its own.
      c.header(name, value, append ? { append: true } : undefined);
    }
  }
}
