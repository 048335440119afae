import { type Answer, ApiProblem, answer, type Body, createEquilibriumClient } from "../client";
import type { LiveMessage } from "../shared/contracts/api";
import type { Market } from "../shared/pricing/market";
import { apiLanguage } from "./i18n";
import { accessToken, signOut } from "./session";

/**
 * The console's view of the v1 API on its own origin, through the typed client: shapes come from
 * the API's OpenAPI document (types only; the page carries just openapi-fetch).
 */

export type { LiveMessage, Market };
export { ApiProblem };
export type MarketInput = Body<"/v1/markets/{marketId}", "put">;
export type Product = Market["products"][number];
export type Heatmap = Answer<"/v1/markets/{marketId}/heatmap", "get">;
export type SurgeReading = Answer<"/v1/surge", "get">;
export type Explanation = SurgeReading["explanation"];
export type CellHistory = Answer<"/v1/surge/history", "get">;
export type Quote = Answer<"/v1/quotes", "post">;
export type Experiment = Answer<"/v1/experiments/{experimentId}", "get">;
export type ExperimentInput = Body<"/v1/experiments/{experimentId}", "put">;
export type ExperimentResults = Answer<"/v1/experiments/{experimentId}/results", "get">;
export type Replay = Answer<"/v1/markets/{marketId}/replay", "post">;
export type Alerts = Answer<"/v1/markets/{marketId}/alerts", "get">;
export type ForecastActuals = Answer<"/v1/markets/{marketId}/forecast/actuals", "get">;
/** One bucket of KPIs: its start (`hour` or `day`, ISO) and the metrics (null where the bucket had none). */
export type KpiRow = Record<"hour" | "day", string | undefined> &
  Record<
    | "avgMultiplier"
    | "peakMultiplier"
    | "avgSupply"
    | "avgDemand"
    | "ratio"
    | "quotes"
    | "verified"
    | "conversion"
    | "revenueAtSurge"
    | "revenueAtOne",
    number | null
  >;
export interface SystemSnapshot {
  mode: "normal" | "degraded";
  markets: Record<string, "emergency">;
  dependencies: Record<string, { status: string; lastError: string | null }>;
  overrides: Array<{ id: string; market: string; cells: string[] | null; cap: number; until: string; reason: string }>;
}
export interface LatLng {
  lat: number;
  lng: number;
}

/** The typed client itself, for panels that keep their calls beside them. */
export const client = createEquilibriumClient({
  baseUrl: "",
  token: accessToken,
  fetch: async (request) => {
    // Problems and sentences come back in the console's language.
    request.headers.set("accept-language", apiLanguage());
    const res = await fetch(request);
    if (res.status === 401) {
      // The session expired or was revoked: back to the sign-in form.
      signOut();
      location.reload();
    }
    return res;
  },
});

const market = (marketId: string) => ({ params: { path: { marketId } } });

/**
 * For the answers the API documents only loosely (a market as its ids and counts, the system as
 * any object): their shapes come from the types behind them until the routes document them whole.
 */
const loose = <T>(call: Promise<unknown>) => call as Promise<T>;

export const api = {
  system: () => loose<SystemSnapshot>(answer(client.GET("/v1/system"))),
  declareOverride: (body: Body<"/v1/system/overrides", "post">) => answer(client.POST("/v1/system/overrides", { body })),
  liftOverride: (overrideId: string) =>
    answer(client.DELETE("/v1/system/overrides/{overrideId}", { params: { path: { overrideId } } })),
  markets: () => loose<{ markets: Market[] }>(answer(client.GET("/v1/markets"))).then((r) => r.markets),
  market: (id: string) => loose<Market>(answer(client.GET("/v1/markets/{marketId}", market(id)))),
  putMarket: (id: string, body: MarketInput) =>
    loose<Market>(answer(client.PUT("/v1/markets/{marketId}", { ...market(id), body }))),
  archiveMarket: (id: string, reason: string) =>
    loose<Market>(answer(client.POST("/v1/markets/{marketId}/archive", { ...market(id), body: { reason } }))),
  deleteMarket: (id: string) => answer(client.DELETE("/v1/markets/{marketId}", market(id))),
  heatmap: (id: string) => answer(client.GET("/v1/markets/{marketId}/heatmap", market(id))),
  alerts: (id: string) => answer(client.GET("/v1/markets/{marketId}/alerts", market(id))),
  kpis: (id: string, query: { from: string; to: string; bucket: "hour" | "day"; timezone: string }) =>
    loose<{ rows: KpiRow[] }>(
      answer(
        client.GET("/v1/markets/{marketId}/kpis", { params: { path: { marketId: id }, query: { ...query, format: "json" } } }),
      ),
    ).then((r) => r.rows),
  forecastCells: (id: string, horizon: number) =>
    answer(client.GET("/v1/markets/{marketId}/forecast/cells", { params: { path: { marketId: id }, query: { horizon } } })),
  forecastActuals: (id: string, cell: string, hours: number) =>
    answer(client.GET("/v1/markets/{marketId}/forecast/actuals", { params: { path: { marketId: id }, query: { cell, hours } } })),
  surge: (at: LatLng) => answer(client.GET("/v1/surge", { params: { query: at } })),
  history: (cell: string) => answer(client.GET("/v1/surge/history", { params: { query: { cell } } })),
  quote: (pickup: LatLng, dropoff: LatLng, product: string) =>
    answer(client.POST("/v1/quotes", { body: { pickup, dropoff, product } })),
  experiments: (marketId: string) =>
    answer(client.GET("/v1/experiments", { params: { query: { market: marketId } } })).then((r) => r.experiments),
  putExperiment: (experimentId: string, body: ExperimentInput) =>
    answer(client.PUT("/v1/experiments/{experimentId}", { params: { path: { experimentId } }, body })),
  results: (experimentId: string) =>
    answer(client.GET("/v1/experiments/{experimentId}/results", { params: { path: { experimentId } } })),
  stopExperiment: (experimentId: string) =>
    answer(client.POST("/v1/experiments/{experimentId}/stop", { params: { path: { experimentId } } })),
  replay: (marketId: string, body: Body<"/v1/markets/{marketId}/replay", "post">) =>
    answer(client.POST("/v1/markets/{marketId}/replay", { ...market(marketId), body })),
};
