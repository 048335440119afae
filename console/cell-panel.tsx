/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { ApiProblem, api, type CellHistory, type LatLng, type SurgeReading } from "./api";
import { clock } from "./clock";
import { ExplanationList } from "./explanation";
import { HistoryChart } from "./history-chart";

/**
 * The selected cell: its reading (supply, demand, multiplier and what made it) and its recent
 * history. Refreshed when the live feed reports a change to it, and every few seconds besides,
 * since supply and demand move without changing the shown multiplier.
 */

const REFRESH_MS = 5000;

export interface CellPanelProps {
  cell: string | undefined;
  centre: LatLng | undefined;
  /** The live multiplier: a change refreshes the reading at once. */
  liveMultiplier: number;
  /** Every cell above 1.0 with its multiplier, for the list shown while no cell is selected. */
  surging: ReadonlyArray<readonly [string, number]>;
  onSelect(cell: string | undefined): void;
}

const SURGING_LISTED = 12;

export function CellPanel({ cell, centre, liveMultiplier, surging, onSelect }: CellPanelProps) {
  const [reading, setReading] = useState<SurgeReading | null>(null);
  const [history, setHistory] = useState<CellHistory | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setReading(null);
    setHistory(null);
    setError(null);
  }, [cell]);

  useEffect(() => {
    if (!cell || !centre) return;
    let stale = false;
    const load = () => {
      Promise.all([api.surge(centre), api.history(cell)])
        .then(([r, h]) => {
          if (stale) return;
          setReading(r);
          setHistory(h);
          setError(null);
        })
        .catch((err: unknown) => !stale && setError(err instanceof ApiProblem ? err.message : String(err)));
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stale = true;
      clearInterval(timer);
    };
  }, [cell, centre?.lat, centre?.lng, liveMultiplier]);

  if (!cell) {
    const top = [...surging].sort((a, b) => b[1] - a[1]).slice(0, SURGING_LISTED);
    return (
      <section>
        <p class="empty">Tap or click a hexagon on the map to see its supply, demand, multiplier and recent history.</p>
        <h3>Surging now</h3>
        {top.length === 0 ? (
          <p class="empty">No cell is above 1.0×.</p>
        ) : (
          <ol class="surging">
            {top.map(([id, multiplier]) => (
              <li key={id}>
                <button type="button" class="quiet" onClick={() => onSelect(id)}>
                  <code>{id}</code>
                  <strong>{multiplier.toFixed(1)}×</strong>
                </button>
              </li>
            ))}
            {surging.length > top.length && <li class="muted">and {surging.length - top.length} more</li>}
          </ol>
        )}
      </section>
    );
  }
  return (
    <section class="cell-panel" aria-live="polite">
      <header class="cell-head">
        <div>
          <h2>Cell</h2>
          <code>{cell}</code>
        </div>
        <div class="big" data-testid="cell-multiplier">
          {(reading?.multiplier ?? liveMultiplier).toFixed(1)}×
        </div>
      </header>
      <button type="button" class="quiet small back" onClick={() => onSelect(undefined)}>
        ← Surging cells
      </button>
      {error && <p class="error">{error}</p>}
      {reading && (
        <>
          <div class="stats">
            <div>
              <span>Supply</span>
              <strong data-testid="cell-supply">{reading.supply.toFixed(0)}</strong>
            </div>
            <div>
              <span>Demand</span>
              <strong data-testid="cell-demand">{reading.demand.toFixed(1)}</strong>
            </div>
            <div>
              <span>Updated</span>
              <strong>{clock(reading.computedAt)}</strong>
            </div>
          </div>
          <h3>Recent history</h3>
          {history && history.points.length > 0 ? (
            <HistoryChart points={history.points} />
          ) : (
            <p class="empty">No history yet: the zone records a point every few seconds while the cell is active.</p>
          )}
          <h3>Why {reading.multiplier.toFixed(1)}×</h3>
          <ExplanationList explanation={reading.explanation} />
        </>
      )}
      {!reading && !error && <p class="empty">Loading…</p>}
    </section>
  );
}
