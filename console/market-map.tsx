/** @jsxImportSource preact */
import { useMemo, useRef, useState } from "preact/hooks";
import type { LatLng } from "./api";
import {
  ForecastLegend,
  forecastColour,
  forecastInk,
  type Horizon,
  LayerChooser,
  type MapLayer,
  useForecastLayer,
} from "./forecast-layer";
import type { MarketGeometry } from "./geometry";
import { useWords } from "./i18n";
import { inkOn, multiplierColour, rampGradient } from "./multiplier-colour";
import { placeLabelSpots } from "./place-labels";

/**
 * The live map: the geofence, every pricing cell coloured by its multiplier (or, with the forecast
 * layer on, by the demand or driver shortage the live model expects over the next minutes), the selected
 * cell, the market's named places, and the quote tester's pickup and dropoff. Border cells reach past the geofence, but
 * the market serves only the geofence: what lies outside it is paled, so the map shows exactly
 * what is served. Drawn in SVG from data the page already
 * has, since no map tiles can be fetched; coordinates are kilometres (see geometry.ts).
 */

export interface MarketMapProps {
  geometry: MarketGeometry;
  multipliers: ReadonlyMap<string, number>;
  cap: number;
  selected: string | undefined;
  pickup: LatLng | undefined;
  dropoff: LatLng | undefined;
  /** The market's named places, labelled on the map. */
  places: ReadonlyArray<{ id: string; name: string; kind: string; at: { x: number; y: number } }>;
  /** What a click does, for the hint under the map. */
  hint: string;
  onPick(at: LatLng, cell: string | undefined): void;
}

export function MarketMap({ geometry, multipliers, cap, selected, pickup, dropoff, places, hint, onPick }: MarketMapProps) {
  const { view, cellSize } = geometry;
  const { n } = useWords();
  const [layer, setLayer] = useState<MapLayer>("multiplier");
  const [horizon, setHorizon] = useState<Horizon>(30);
  const forecast = useForecastLayer(geometry.marketId, layer, horizon);
  // What each cell shows: its live multiplier, or the forecast layer's value once it has loaded.
  const shown = layer === "multiplier" || forecast.state !== "ready" ? undefined : { layer, ...forecast };
  const fill = (cell: string) => {
    if (!shown) return multiplierColour(multipliers.get(cell) ?? 1, cap);
    return forecastColour(shown.layer, shown.values.get(cell) ?? 0, shown.max);
  };
  // Labels: surging cells' multipliers, or the forecast's largest values (a fifth of the scale and up).
  const label = (cell: string): { text: string; ink: string } | null => {
    if (!shown) {
      const multiplier = multipliers.get(cell) ?? 1;
      return multiplier > 1 ? { text: multiplier.toFixed(1), ink: inkOn(multiplier, cap) } : null;
    }
    const value = shown.values.get(cell) ?? 0;
    if (value <= 0 || value < shown.max / 5) return null;
    return { text: n(value, value >= 10 ? 0 : 1), ink: forecastInk(value, shown.max) };
  };
  const selectedShape = selected ? geometry.byCell.get(selected) : undefined;
  // Pins are sized to the map, not to its cells: a coarse market's cells fill the screen.
  const span = Math.max(view.width, view.height);
  const marker = span * 0.016;
  const placeFont = span * 0.017;
  const dot = span * 0.0045;
  const spots = useMemo(
    () => placeLabelSpots(places, { font: placeFont, dot, gap: span * 0.008 }),
    [places, placeFont, dot, span],
  );

  const svg = useRef<SVGSVGElement>(null);
  const click = (e: MouseEvent) => {
    const matrix = svg.current?.getScreenCTM();
    if (!matrix) return;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(matrix.inverse());
    const at = geometry.unproject(p.x, p.y);
    onPick(at, geometry.cellAt(at));
  };

  // Keyboard use: arrows move a cursor to the nearest cell that way, Enter or Space picks it.
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const key = (e: KeyboardEvent) => {
    const direction = ARROWS[e.key];
    const current = cursor ?? selected;
    if (direction) {
      e.preventDefault();
      setCursor(current ? nearestToward(geometry, current, direction) : geometry.cells[0]?.cell);
    } else if ((e.key === "Enter" || e.key === " ") && current) {
      e.preventDefault();
      onPick(geometry.pointOf(current), current);
    }
  };
  const cursorShape = cursor ? geometry.byCell.get(cursor) : undefined;

  return (
    <figure class="map" data-layer={layer}>
      <LayerChooser layer={layer} horizon={horizon} onLayer={setLayer} onHorizon={setHorizon} />
      <div
        class="map-canvas"
        role="application"
        aria-roledescription="map"
        aria-label="Map of the market's pricing cells coloured by multiplier. Arrow keys move between cells, Enter picks one."
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a composite widget (role application) with its own arrow-key navigation
        tabIndex={0}
        onClick={click}
        onKeyDown={key}
      >
        <svg
          ref={svg}
          viewBox={`${view.x} ${view.y} ${view.width} ${view.height}`}
          preserveAspectRatio="xMidYMid meet"
          aria-hidden="true"
        >
          <path class="geofence" d={geometry.geofencePath} fill-rule="evenodd" />
          <g class="cells">
            {geometry.cells.map(({ cell, path }) => {
              const multiplier = multipliers.get(cell) ?? 1;
              const value = shown?.values.get(cell);
              return (
                <path
                  key={cell}
                  d={path}
                  fill={fill(cell)}
                  data-cell={cell}
                  data-multiplier={multiplier.toFixed(1)}
                  data-forecast={shown ? (value ?? 0).toFixed(3) : undefined}
                >
                  <title>{shown ? `${cell} · ${n(value ?? 0)}` : `${cell} · ${multiplier.toFixed(1)}×`}</title>
                </path>
              );
            })}
          </g>
          <path class="outside" d={geometry.outsidePath} fill-rule="evenodd" />
          <path class="geofence-line" d={geometry.geofencePath} />
          <g class="labels" font-size={Math.min(cellSize * 0.26, span * 0.022)}>
            {geometry.cells.map(({ cell, centre }) => {
              const shownLabel = label(cell);
              if (!shownLabel) return null;
              return (
                <text key={cell} x={centre.x} y={centre.y} fill={shownLabel.ink}>
                  {shownLabel.text}
                </text>
              );
            })}
          </g>
          <g class="places" font-size={placeFont}>
            {places.map((p, i) => {
              const spot = spots[i];
              return (
                <g key={p.id} class={`place ${p.kind}`} data-place={p.id}>
                  <title>{p.name}</title>
                  <circle cx={p.at.x} cy={p.at.y} r={dot} />
                  {spot && (
                    <text x={spot.x} y={spot.y} style={{ textAnchor: spot.anchor }}>
                      {p.name}
                    </text>
                  )}
                </g>
              );
            })}
          </g>
          {selectedShape && <path class="selected" d={selectedShape.path} />}
          {cursorShape && <path class="cursor" d={cursorShape.path} />}
          {pickup && dropoff && <Route from={geometry.project(pickup)} to={geometry.project(dropoff)} />}
          {pickup && <Pin at={geometry.project(pickup)} r={marker} label="P" kind="pickup" />}
          {dropoff && <Pin at={geometry.project(dropoff)} r={marker} label="D" kind="dropoff" />}
          <ScaleBar geometry={geometry} />
        </svg>
      </div>
      <figcaption>
        {layer === "multiplier" ? (
          <span class="legend" title="Multiplier: 1.0 at balance, darker as it rises to the market's cap">
            <span>1.0×</span>
            <span class="ramp" style={{ background: rampGradient() }} />
            <span>{cap.toFixed(1)}×</span>
          </span>
        ) : (
          <ForecastLegend layer={layer} horizon={horizon} forecast={forecast} />
        )}
        <span
          class="legend-outside"
          title="Border cells reach past the geofence; points there belong to no market, or to the neighbour"
        >
          <span class="swatch" /> outside the geofence: not served
        </span>
        <span class="hint">
          {hint}
          <span class="keys"> (or arrow keys, then Enter)</span>.
        </span>
      </figcaption>
    </figure>
  );
}

const ARROWS: Record<string, readonly [number, number]> = {
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
};

/** The closest cell within 60° of a direction from a cell (itself at an edge). */
function nearestToward(geometry: MarketGeometry, from: string, [dx, dy]: readonly [number, number]): string {
  const origin = geometry.byCell.get(from)?.centre;
  if (!origin) return from;
  let best = from;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const { cell, centre } of geometry.cells) {
    const x = centre.x - origin.x;
    const y = centre.y - origin.y;
    const distance = Math.hypot(x, y);
    if (distance === 0 || (x * dx + y * dy) / distance < 0.5 || distance >= bestDistance) continue;
    best = cell;
    bestDistance = distance;
  }
  return best;
}

function Pin({ at, r, label, kind }: { at: { x: number; y: number }; r: number; label: string; kind: string }) {
  return (
    <g class={`pin ${kind}`} data-pin={kind}>
      <circle cx={at.x} cy={at.y} r={r} />
      <text x={at.x} y={at.y} font-size={r * 1.2}>
        {label}
      </text>
    </g>
  );
}

function Route({ from, to }: { from: { x: number; y: number }; to: { x: number; y: number } }) {
  return <line class="route" x1={from.x} y1={from.y} x2={to.x} y2={to.y} />;
}

/** A scale bar of a round length, about a fifth of the map's width, in the strip below the cells. */
function ScaleBar({ geometry }: { geometry: MarketGeometry }) {
  const { view, scale } = geometry;
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100].filter((s) => s <= view.width / 5).pop() ?? 0.1;
  const tick = scale.text * 0.4;
  return (
    <g class="scale" font-size={scale.text}>
      <path d={`M${scale.x} ${scale.y - tick}V${scale.y}H${scale.x + step}V${scale.y - tick}`} />
      <text x={scale.x + step + scale.text * 0.4} y={scale.y - tick / 2}>
        {step < 1 ? `${step * 1000} m` : `${step} km`}
      </text>
    </g>
  );
}
