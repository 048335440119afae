import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { ProblemSchema } from "../../shared/contracts/api";
import { isMessageKey, render, t } from "../../shared/i18n/catalogue";
import { ENGLISH, type Locale } from "../../shared/i18n/locales";
import { GENERIC_PROBLEM_CODES, type ProblemText, problemKey } from "../../shared/i18n/problems";
import { fieldProblems } from "../../shared/i18n/validation";
import { requestLocale } from "./locale";

/**
 * Every error the API returns is an RFC 9457 problem: one shape, made here and only here. A
 * problem carries a stable `code` (`shared/i18n/problems.ts`) beside its `title` and `detail`,
 * both in the request's negotiated locale (`workers/api/locale.ts`); a code's detail is the
 * catalogue's `problem.<code>` message, filled with the problem's values.
 *
 * @example throw new ProblemError(404, { code: "market-unknown", params: { market: "nyc" } })
 *   // en: "There is no market “nyc”."  vi: "Không có thị trường “nyc”."
 */

export type { ProblemText } from "../../shared/i18n/problems";

/** The OpenAPI response entry for a problem, for routes to list under their error statuses. */
export const problemDoc = {
  content: { "application/problem+json": { schema: ProblemSchema } },
  description: "A problem (RFC 9457)",
};

export interface FieldError {
  path: string;
  message: string;
}

/**
 * A failure on its way to the client: thrown anywhere, rendered by `renderProblem`. `text` is
 * a code with its values; plain English is accepted for failures not yet given a code (they
 * carry their status's generic code and are not translated).
 */
export class ProblemError extends Error {
  readonly code: string;
  /** In English, for logs. */
  readonly detail: string;
  readonly text: ProblemText | undefined;

  constructor(
    readonly status: ContentfulStatusCode,
    text: ProblemText | string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    const detail = typeof text === "string" ? text : t(ENGLISH, problemKey(text.code), text.params);
    super(detail);
    this.detail = detail;
    this.text = typeof text === "string" ? undefined : text;
    this.code = this.text?.code ?? genericCode(status, extensions);
  }
}

function genericCode(status: number, extensions: Record<string, unknown>): string {
  return typeof extensions.code === "string" ? extensions.code : (GENERIC_PROBLEM_CODES[status] ?? "error");
}

/**
 * Issues of a zod parse as `{path, message}` pairs, paths in dotted form, each message a person's
 * sentence in the locale (`shared/i18n/validation.ts`; a schema's own message stays as written).
 */
export function fieldErrors(
  error: z.ZodError,
  locale: Locale = ENGLISH,
  prefix: (string | number)[] = [],
  input?: Record<string, unknown>,
): FieldError[] {
  return fieldProblems(locale, error, prefix, input);
}

/** The problem for a request body, query or path that failed its schema: the first field in the detail, every one in `errors`. */
export function invalid(
  error: z.ZodError,
  where: "body" | "query" | "path" = "body",
  locale: Locale = ENGLISH,
  input?: Record<string, unknown>,
): ProblemError {
  const errors = fieldErrors(error, locale, [], input);
  const first = errors[0];
  return new ProblemError(
    422,
    {
      code: where === "query" ? "invalid-query" : where === "path" ? "invalid-path" : "invalid-body",
      params: { field: first?.path ?? "(body)", reason: first?.message ?? t(locale, "validation.invalid") },
    },
    { errors },
  );
}

/** A problem's title and detail in a locale; the detail of a problem without a code stays as written. */
export function problemWords(locale: Locale, status: number, text: ProblemText | string): { title: string; detail: string } {
  const titleKey = `status.${status}`;
  const title = isMessageKey(titleKey) ? t(locale, titleKey) : "Error";
  if (typeof text === "string") return { title, detail: text };
  return { title, detail: render(locale, problemKey(text.code), text.params).text };
}

/** A problem's fields in the order the API sends them (the answers' and the OpenAPI examples' one shape). */
export function problemBody(
  words: { title: string; detail: string },
  status: number,
  code: string,
  extensions: object,
  instance: string,
  requestId: string,
) {
  return { type: "about:blank", title: words.title, status, ...extensions, code, detail: words.detail, instance, requestId };
}

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  text: ProblemText | string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const locale = requestLocale(c);
  const { title, detail } = problemWords(locale, status, text);
  const code = typeof text === "string" ? genericCode(status, extensions) : text.code;
  if (status < 500 && c.req.header("upgrade")?.toLowerCase() === "websocket" && c.req.header("origin"))
    return refusedSocket(status, code, detail);
  const body = problemBody({ title, detail }, status, code, extensions, new URL(c.req.url).pathname, c.get("requestId"));
  return c.newResponse(JSON.stringify(body), status, {
    ...headers,
    "content-type": "application/problem+json",
    "content-language": locale.tag,
  });
}

/** A close reason is at most 123 bytes of UTF-8. */
const CLOSE_REASON_BYTES = 123;

/**
 * A refused WebSocket upgrade from a browser: a browser cannot read the HTTP answer to a failed
 * handshake (its client sees only "failed" or code 1006), so it gets the socket, one
 * `{"type":"error","status","code","detail"}` message and a close with code 4000 + status whose
 * reason is the problem's detail. Other clients (which send no Origin) get the problem+json answer.
 */
function refusedSocket(status: number, code: string, detail: string): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  server.send(JSON.stringify({ type: "error", status, code, detail }));
  let reason = detail;
  while (new TextEncoder().encode(reason).byteLength > CLOSE_REASON_BYTES) reason = `${[...reason].slice(0, -2).join("")}…`;
  server.close(4000 + status, reason);
  return new Response(null, { status: 101, webSocket: client });
}

/** What Hono's body validator throws for a JSON body that does not parse (it keeps the parser's reason to itself). */
const HONO_MALFORMED_JSON = "Malformed JSON in request body";

/** Maps anything thrown to a problem. Unknown failures are 500s, logged with the request id. */
export async function renderProblem(thrown: unknown, c: Context): Promise<Response> {
  // Hono's validator hides the parser's error behind its own: the body is parsed again to say why.
  const err =
    thrown instanceof HTTPException && thrown.status === 400 && thrown.message === HONO_MALFORMED_JSON
      ? await jsonFault(c)
      : thrown;
  if (err instanceof ProblemError) return problemResponse(c, err.status, err.text ?? err.detail, err.extensions, err.headers);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return problemResponse(c, status, err.message || problemWords(ENGLISH, status, "").title);
  }
  if (err instanceof SyntaxError) return problemResponse(c, 400, { code: "malformed-json", params: { reason: err.message } });
  console.error(
    JSON.stringify({ level: "error", requestId: c.get("requestId"), message: String(err), stack: (err as Error)?.stack }),
  );
  return problemResponse(c, 500, { code: "internal" });
}

/** Why the request's body is not JSON, as the parser says it (the body was read once and is kept). */
async function jsonFault(c: Context): Promise<SyntaxError> {
  try {
    JSON.parse(await c.req.text());
  } catch (err) {
    if (err instanceof SyntaxError) return err;
  }
  return new SyntaxError("the body could not be read as JSON");
}
