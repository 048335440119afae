import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema";

/**
 * The typed client of the Equilibrium API. Paths, parameters, bodies and answers are typed by
 * `./schema.d.ts`, which `npm run client:generate` makes from the API's own OpenAPI document;
 * `openapi-fetch` does the calls. Errors are RFC 9457 problems: `answer()` turns them into a
 * thrown `ApiProblem`.
 *
 * @example
 * const api = createEquilibriumClient({ baseUrl: "https://equilibrium.example", token });
 * const quote = await answer(
 *   api.POST("/v1/quotes", { body: { pickup, dropoff, product: "standard" } }),
 * );
 * // quote.total, quote.totalFormatted, quote.token…
 * // or, without throwing: const { data, error, response } = await api.GET("/v1/markets");
 */

export type { paths };
export type EquilibriumClient = Client<paths>;

export interface EquilibriumClientOptions {
  /** The platform's origin, e.g. `http://127.0.0.1:8787`; `""` for a page's own origin. */
  baseUrl: string;
  /** A bearer token, or a function that gives the current one on each call (a session that changes). */
  token?: string | (() => string | null | undefined);
  /** The fetch to call with each request (default: the global one): retries, timeouts, tests. */
  fetch?: (request: Request) => Promise<Response>;
}

export function createEquilibriumClient(options: EquilibriumClientOptions): EquilibriumClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch ?? ((request) => fetch(request)) });
  const { token } = options;
  if (token !== undefined) {
    client.use({
      onRequest({ request }) {
        const current = typeof token === "function" ? token() : token;
        if (current) request.headers.set("authorization", `Bearer ${current}`);
      },
    });
  }
  return client;
}

/** The JSON a path and method answer on success, e.g. `Answer<"/v1/quotes", "post">`. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? JsonOf<R[keyof R & (200 | 201 | 202)]>
  : never;

/** The JSON body a path and method take, e.g. `Body<"/v1/markets/{marketId}", "put">`. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;

type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : undefined;

/** A field the API refused, as a problem lists it. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * A failed call: the API's problem document (`status`, `detail`, a machine-readable `code` where
 * the API gives one, refused fields in `errors`), or one made up when the API could not be reached
 * (`status` 0) or did not answer with a problem.
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly detail: string;
  readonly code: string | undefined;
  readonly errors: FieldProblem[];

  constructor(
    /** The whole problem document, with any extension members. */
    readonly problem: { status: number; detail: string; title?: string; code?: string; errors?: FieldProblem[] } & Record<
      string,
      unknown
    >,
  ) {
    super(problem.detail);
    this.name = "ApiProblem";
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = typeof problem.code === "string" ? problem.code : undefined;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/**
 * Waits for a call and gives its data, or throws an `ApiProblem`.
 *
 * @example
 * try {
 *   const reading = await answer(api.GET("/v1/surge", { params: { query: { lat: 40.758, lng: -73.9855 } } }));
 * } catch (e) {
 *   if (e instanceof ApiProblem && e.status === 404) … // no market there
 * }
 */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let outcome: Awaited<typeof call>;
  try {
    outcome = await call;
  } catch (err) {
    throw new ApiProblem({ status: 0, title: "Unreachable", detail: `The API did not answer (${err}).` });
  }
  const { data, error, response } = outcome;
  if (response.ok) return data as T;
  const body = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : {};
  throw new ApiProblem({
    ...body,
    status: response.status,
    title: typeof body.title === "string" ? body.title : response.statusText,
    detail: typeof body.detail === "string" ? body.detail : `The API answered ${response.status} ${response.statusText}.`,
  });
}
