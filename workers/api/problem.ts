import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { ProblemSchema } from "../../shared/contracts/api";

/**
 * Every error the API returns is an RFC 9457 problem: one shape, made here and only here.
 */

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  426: "Upgrade required",
  429: "Too many requests",
  500: "Internal server error",
  503: "Service unavailable",
};

/** The OpenAPI response entry for a problem, for routes to list under their error statuses. */
export const problemDoc = {
  content: { "application/problem+json": { schema: ProblemSchema } },
  description: "A problem (RFC 9457)",
};

export interface FieldError {
  path: string;
  message: string;
}

/** A failure on its way to the client: thrown anywhere, rendered by `renderProblem`. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** Issues of a zod parse as `{path, message}` pairs, paths in dotted form. */
export function fieldErrors(error: z.ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/** The problem for a request body or query that failed its schema. */
export function invalid(error: z.ZodError, where: "body" | "query" | "path" = "body"): ProblemError {
  const errors = fieldErrors(error);
  const first = errors[0];
  return new ProblemError(422, `Invalid ${where}: ${first ? `${first.path}: ${first.message}` : "does not match the schema"}`, {
    errors,
  });
}

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body = {
    type: "about:blank",
    title: TITLES[status] ?? "Error",
    status,
    detail,
    instance: new URL(c.req.url).pathname,
    requestId: c.get("requestId"),
    ...extensions,
  };
  return c.newResponse(JSON.stringify(body), status, { ...headers, "content-type": "application/problem+json" });
}

/** Maps anything thrown to a problem. Unknown failures are 500s, logged with the request id. */
export function renderProblem(err: unknown, c: Context): Response {
  if (err instanceof ProblemError) return problemResponse(c, err.status, err.detail, err.extensions, err.headers);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return problemResponse(c, status, err.message || TITLES[status] || "Request failed");
  }
  if (err instanceof SyntaxError) return problemResponse(c, 400, `Malformed JSON: ${err.message}`);
  console.error(
    JSON.stringify({ level: "error", requestId: c.get("requestId"), message: String(err), stack: (err as Error)?.stack }),
  );
  return problemResponse(c, 500, "An unexpected error occurred; it has been logged with this request id.");
}
