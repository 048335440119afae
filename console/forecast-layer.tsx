/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { ApiProblem, api } from "./api";
import { useWords } from "./i18n";
import { CALM, colourAt, type Ramp, rampGradient } from "./multiplier-colour";

/**
 * The map's forecast layer: instead of the live multiplier, every cell coloured by the demand
 * the live model expects there over the next 15, 30 or 60 minutes, or by the drivers it will be
 * short (`GET …/forecast/cells`, as driver hotspots rank them). Refreshed every minute: the
 * window moves with the clock, and a training (hourly) replaces the forecasts.
 */

export type MapLayer = "multiplier" | "demand" | "shortage";
export const LAYERS: readonly MapLayer[] = ["multiplier", "demand", "shortage"];
export const HORIZONS = [15, 30, 60] as const;
export type Horizon = (typeof HORIZONS)[number];

const REFRESH_MS = 60_000;

export interface ForecastLayer {
  state: "loading" | "ready" | "untrained" | "failed";
  /** The layer's value per cell: expected demand, or drivers short (0 where none are). */
  values: ReadonlyMap<string, number>;
  /** The top of the legend's scale: a round number at or above every value. */
  max: number;
  error?: string;
}

const EMPTY: ForecastLayer = { state: "loading", values: new Map(), max: 1 };

/** The layer's values for a market, fetched while a forecast layer is shown. */
export function useForecastLayer(marketId: string, layer: MapLayer, horizon: Horizon): ForecastLayer {
  const [state, setState] = useState<ForecastLayer>(EMPTY);
  useEffect(() => {
    if (layer === "multiplier") return;
    let stale = false;
    setState(EMPTY);
    const load = () =>
      api
        .forecastCells(marketId, horizon)
        .then((answer) => {
          if (stale) return;
          const values = new Map(
            answer.cells.map((c) => [c.cell, layer === "demand" ? c.expectedDemand : Math.max(0, c.shortage)]),
          );
          setState({
            state: answer.modelId === null ? "untrained" : "ready",
            values,
            max: niceCeiling(Math.max(0, ...values.values())),
          });
        })
        .catch(
          (err: unknown) =>
            !stale && setState((s) => ({ ...s, state: "failed", error: err instanceof ApiProblem ? err.message : String(err) })),
        );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stale = true;
      clearInterval(timer);
    };
  }, [marketId, layer, horizon]);
  return state;
}

/** 1, 2, 2.5, 5 × a power of ten: the legend's end reads as a round number. */
export function niceCeiling(x: number): number {
  if (x <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 2.5, 5, 10]) if (x <= step * power) return step * power;
  return 10 * power;
}

/** Sequential ramps, light to dark, distinct from the multiplier's amber-to-violet: blues for demand, purples for shortage. */
const RAMPS: Record<Exclude<MapLayer, "multiplier">, Ramp> = {
  demand: [
    [0, [222, 235, 247]],
    [0.25, [158, 202, 225]],
    [0.5, [66, 146, 198]],
    [0.75, [8, 81, 156]],
    [1, [8, 48, 107]],
  ],
  shortage: [
    [0, [239, 237, 245]],
    [0.25, [188, 189, 220]],
    [0.5, [128, 125, 186]],
    [0.75, [106, 81, 163]],
    [1, [63, 0, 125]],
  ],
};

/** A cell's fill: the calm grey where nothing is expected (or no driver is short), else along the layer's ramp. */
export function forecastColour(layer: Exclude<MapLayer, "multiplier">, value: number, max: number): string {
  return value > 0 ? colourAt(RAMPS[layer], Math.min(1, value / max)) : CALM;
}

/** White ink on the ramp's darker half. */
export function forecastInk(value: number, max: number): string {
  return value / max > 0.5 ? "#fff" : "#1f2933";
}

/** The layer and horizon choosers above the map. */
export function LayerChooser({
  layer,
  horizon,
  onLayer,
  onHorizon,
}: {
  layer: MapLayer;
  horizon: Horizon;
  onLayer(layer: MapLayer): void;
  onHorizon(horizon: Horizon): void;
}) {
  const { t } = useWords();
  return (
    <div class="map-layers" data-testid="map-layers">
      <fieldset class="segmented">
        <legend>{t("console.forecast.layer")}</legend>
        {LAYERS.map((id) => (
          <label key={id} class={layer === id ? "on" : ""}>
            <input type="radio" name="map-layer" value={id} checked={layer === id} onChange={() => onLayer(id)} />
            {t(`console.forecast.layer.${id}`)}
          </label>
        ))}
      </fieldset>
      {layer !== "multiplier" && (
        <fieldset class="segmented">
          <legend>{t("console.forecast.horizon")}</legend>
          {HORIZONS.map((m) => (
            <label key={m} class={horizon === m ? "on" : ""}>
              <input type="radio" name="map-horizon" value={m} checked={horizon === m} onChange={() => onHorizon(m)} />
              {t("console.forecast.minutes", { minutes: m })}
            </label>
          ))}
        </fieldset>
      )}
    </div>
  );
}

/** The forecast layer's key: what the colours mean and their scale. */
export function ForecastLegend({
  layer,
  horizon,
  forecast,
}: {
  layer: Exclude<MapLayer, "multiplier">;
  horizon: Horizon;
  forecast: ForecastLayer;
}) {
  const { t, n } = useWords();
  if (forecast.state !== "ready")
    return (
      <span class={`legend ${forecast.state === "failed" ? "error" : "muted"}`} data-testid="forecast-legend">
        {forecast.error ?? t(forecast.state === "loading" ? "console.loading" : "console.forecast.untrained")}
      </span>
    );
  const digits = forecast.max >= 10 ? 0 : 1;
  return (
    <span class="legend forecast-legend" data-testid="forecast-legend">
      <strong>{t(`console.forecast.legend.${layer}`, { minutes: horizon })}</strong>
      <span class="swatch" style={{ background: CALM }} />
      <span>{t("console.forecast.legend.none")}</span>
      <span>{n(0, digits)}</span>
      <span class="ramp" style={{ background: rampGradient(RAMPS[layer]) }} />
      <span>{n(forecast.max, digits)}</span>
    </span>
  );
}
