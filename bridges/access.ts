import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Who may use a bridge. Behind the Neon bridges is a trust-auth superuser and behind the Upstash
 * bridge the whole redis-server, and listening on 127.0.0.1 does not keep web pages out: any tab
 * on this machine may open a WebSocket or POST to 127.0.0.1, and DNS rebinding makes even a
 * page's same-origin requests land here. So each bridge takes only the dev command's own clients:
 *
 * - every request carries the run's secret token (the first path segment of the Neon endpoints,
 *   the bearer token of the Upstash one), compared in constant time; missing or wrong → 401;
 * - a request that carries an `Origin` header was made by a browser (browsers send it on every
 *   WebSocket upgrade and every cross-origin or POST request; workerd, Bun and Node clients send
 *   none) and is refused with 403 unless that origin is explicitly allowed.
 *
 * Refusals close the connection.
 */

export interface AccessPolicy {
  /** The run's secret: URL-safe (letters, digits, `-`, `_`), at least 16 characters. */
  token: string;
  /** Browser origins that may use the bridge (e.g. `http://127.0.0.1:8787`); none by default. */
  allowedOrigins?: readonly string[];
}

export type RefusalStatus = 401 | 403;

/** Answers a request that is refused, in the bridge's own reply format. */
export type Refuse = (status: RefusalStatus, reason: string) => Response;

/** Checks one request: the refusal to send, or undefined when it may go on. */
export type AccessCheck = (request: Request, presentedToken: string | undefined) => Response | undefined;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,}$/;

/**
 * A fresh secret for one run of the bridges: 256 random bits, URL-safe.
 *
 * @example newBridgeToken() // "kq3V0x…" (43 characters)
 */
export function newBridgeToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The check a bridge runs before anything else. The policy is validated up front.
 *
 * @example
 * const refused = accessCheck({ token }, (status, reason) => new Response(reason, { status }));
 * const refusal = refused(request, bearerToken);
 * if (refusal) return refusal;
 */
export function accessCheck(policy: AccessPolicy, refuse: Refuse): AccessCheck {
  if (!TOKEN_SHAPE.test(policy.token)) {
    throw new Error("bridges: the token must be at least 16 URL-safe characters (letters, digits, - and _)");
  }
  const expected = digest(policy.token);
  const origins = new Set(policy.allowedOrigins ?? []);
  return function refusedBridgeRequest(request, presentedToken) {
    const origin = request.headers.get("origin");
    if (origin !== null && !origins.has(origin)) {
      return closing(refuse(403, `Forbidden: requests from web pages (Origin: ${origin.slice(0, 100)}) may not use this bridge`));
    }
    // Digests of equal length, compared in constant time: neither the content nor the length leaks.
    if (presentedToken === undefined || !timingSafeEqual(digest(presentedToken), expected)) {
      return closing(
        refuse(401, "Unauthorized: this bridge serves only the dev command's clients (the run's token is missing or wrong)"),
      );
    }
    return undefined;
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function closing(response: Response): Response {
  // A refused client gets no kept-alive connection to try again on.
  response.headers.set("connection", "close");
  return response;
}

/**
 * Splits a Neon bridge's path into the token (its first segment) and the rest.
 *
 * @example tokenPath("/s3cr3t/v1") // { token: "s3cr3t", path: "/v1" }; tokenPath("/v1") // { token: "v1", path: "/" }
 */
export function tokenPath(pathname: string): { token: string | undefined; path: string } {
  const match = /^\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return { token: undefined, path: pathname };
  return { token: match[1], path: match[2] ?? "/" };
}
