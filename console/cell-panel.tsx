/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { ApiProblem, api, type CellHistory, type LatLng, type SurgeReading } from "./api";
import { ExplanationList } from "./explanation";
import { CellForecast } from "./forecast-chart";
import { HistoryChart } from "./history-chart";
import { useWords } from "./i18n";

/**
 * The selected cell: its reading (supply, demand, multiplier and what made it), its recent
 * history, and its forecast beside the demand that came. Refreshed when the live feed reports a change to it, and every few seconds besides,
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
  /** The market's time zone: times are shown on its clock. */
  timeZone: string;
  /** The market's named place of a cell, if it has one ("Madison Square Garden"). */
  placeOf(cell: string): string | undefined;
  onSelect(cell: string | undefined): void;
}

const SURGING_LISTED = 12;

export function CellPanel({ cell, centre, liveMultiplier, surging, timeZone, placeOf, onSelect }: CellPanelProps) {
  const { t, n, time } = useWords();
  const [all, setAll] = useState(false);
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
    const top = [...surging].sort((a, b) => b[1] - a[1]).slice(0, all ? surging.length : SURGING_LISTED);
    return (
      <section>
        <p class="empty">{t("console.cell.pick")}</p>
        <h3>{t("console.cell.surging")}</h3>
        {top.length === 0 ? (
          <p class="empty">{t("console.cell.calm")}</p>
        ) : (
          <ol class="surging">
            {top.map(([id, multiplier]) => (
              <li key={id}>
                <button type="button" class="quiet" onClick={() => onSelect(id)} data-cell={id}>
                  {placeOf(id) ? <span class="place-name">{placeOf(id)}</span> : <code>{id}</code>}
                  <strong>{n(multiplier)}×</strong>
                </button>
              </li>
            ))}
            {surging.length > top.length && (
              <li>
                <button type="button" class="quiet small" onClick={() => setAll(true)} data-testid="surging-more">
                  {t("console.cell.more", { count: surging.length - top.length })}
                </button>
              </li>
            )}
          </ol>
        )}
      </section>
    );
  }
  return (
    <section class="cell-panel" aria-live="polite">
      <header class="cell-head">
        <div>
          <h2>{placeOf(cell) ?? t("console.cell.title")}</h2>
          <code>{cell}</code>
        </div>
        <div class="big" data-testid="cell-multiplier">
          {n(reading?.multiplier ?? liveMultiplier)}×
        </div>
      </header>
      <button type="button" class="quiet small back" onClick={() => onSelect(undefined)}>
        {t("console.cell.back")}
      </button>
      {error && <p class="error">{error}</p>}
      {reading && (
        <>
          <div class="stats">
            <div>
              <span>{t("console.cell.supply")}</span>
              <strong data-testid="cell-supply">{n(reading.supply, 0)}</strong>
            </div>
            <div>
              <span>{t("console.cell.demand")}</span>
              <strong data-testid="cell-demand">{n(reading.demand)}</strong>
            </div>
            <div>
              <span>{t("console.cell.updated")}</span>
              <strong data-testid="cell-updated">{time(reading.computedAt, timeZone)}</strong>
            </div>
          </div>
          <h3>{t("console.cell.history")}</h3>
          {history && history.points.length > 0 ? (
            <HistoryChart points={history.points} timeZone={timeZone} />
          ) : (
            <p class="empty">{t("console.cell.no-history")}</p>
          )}
          <CellForecast marketId={reading.market} cell={cell} timeZone={timeZone} />
          <h3>{t("console.cell.why", { multiplier: reading.multiplier })}</h3>
          <p class="sentence" data-testid="cell-sentence">
            {reading.explanationText}
          </p>
          <ExplanationList explanation={reading.explanation} />
        </>
      )}
      {!reading && !error && <p class="empty">{t("console.loading")}</p>}
    </section>
  );
}
