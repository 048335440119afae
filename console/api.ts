import type { z } from "zod";
import type { CellHistorySchema, HeatmapSchema, LiveMessage, Problem, QuoteSchema, SurgeReadingSchema } from "../shared/api";
import type { Market } from "../shared/market";
import { accessToken, signOut } from "./session";

/**
 * The console's view of the v1 API on its own origin. Shapes come from the API's zod schemas
 * (type-only imports, so zod stays out of the page's bundle).
 */

export type { LiveMessage, Market, Problem };
export type Heatmap = z.infer<typeof HeatmapSchema>;
export type SurgeReading = z.infer<typeof SurgeReadingSchema>;
export type Explanation = SurgeReading["explanation"];
export type CellHistory = z.infer<typeof CellHistorySchema>;
export type Quote = z.infer<typeof QuoteSchema>;
export type Product = Market["products"][number];
export type MarketInput = Omit<Market, "id" | "version" | "updatedAt" | "cellCount" | "zoneCount">;
export interface LatLng {
  lat: number;
  lng: number;
}

/** A failed call: the API's problem document, or one made up when the API could not be reached. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  const headers = new Headers(init?.headers);
  const token = accessToken();
  if (token) headers.set("authorization", `Bearer ${token}`);
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    throw new ProblemError({ type: "about:blank", title: "Unreachable", status: 0, detail: `The API did not answer (${err}).` });
  }
  const text = await res.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (res.status === 401) {
    // The session expired or was revoked: back to the sign-in form.
    signOut();
    location.reload();
  }
  if (!res.ok) {
    const problem = (body ?? {}) as Partial<Problem>;
    throw new ProblemError({
      ...problem,
      type: problem.type ?? "about:blank",
      title: problem.title ?? res.statusText,
      status: res.status,
      detail: problem.detail ?? `${init?.method ?? "GET"} ${path} answered ${res.status}.`,
    });
  }
  return body as T;
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export interface SystemSnapshot {
  mode: "normal" | "degraded";
  markets: Record<string, "emergency">;
  dependencies: Record<string, { status: string; lastError: string | null }>;
  overrides: Array<{ id: string; market: string; cells: string[] | null; cap: number; until: string; reason: string }>;
}

export const api = {
  system: () => call<SystemSnapshot>("/v1/system"),
  declareOverride: (o: { market: string; cap: number; minutes: number; reason: string }) =>
    call<{ id: string }>("/v1/system/overrides", json("POST", o)),
  liftOverride: (id: string) => call<unknown>(`/v1/system/overrides/${encodeURIComponent(id)}`, { method: "DELETE" }),
  markets: () => call<{ markets: Market[] }>("/v1/markets").then((r) => r.markets),
  market: (id: string) => call<Market>(`/v1/markets/${encodeURIComponent(id)}`),
  putMarket: (id: string, input: MarketInput) => call<Market>(`/v1/markets/${encodeURIComponent(id)}`, json("PUT", input)),
  heatmap: (id: string) => call<Heatmap>(`/v1/markets/${encodeURIComponent(id)}/heatmap`),
  surge: (at: LatLng) => call<SurgeReading>(`/v1/surge?lat=${at.lat}&lng=${at.lng}`),
  history: (cell: string) => call<CellHistory>(`/v1/surge/history?cell=${encodeURIComponent(cell)}`),
  quote: (pickup: LatLng, dropoff: LatLng, product: string) =>
    call<Quote>("/v1/quotes", json("POST", { pickup, dropoff, product })),
};
