/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import { formatTime } from "../shared/i18n/format";
import { ApiProblem, api, type ForecastActuals } from "./api";
import { loadUPlot } from "./history-chart";
import { useWords } from "./i18n";

/**
 * A cell's forecast beside the demand that came (`GET …/forecast/actuals`): the last day and
 * the hours ahead, per 15 minutes, with the forecast's 80 % band, and the error
 * over the day (WAPE, the backtest's measure). Times on the market's clock, in the console's
 * language. Before the last training the forecast is the live model's backtest, so the two
 * lines can be compared from the first training on.
 */

const REFRESH_MS = 60_000;
const HOURS = 24;
const HEIGHT = 200;

const COLOURS = { actual: "#1f2933", forecast: "#d9661f", band: "rgba(217, 102, 31, 0.16)" };

export function CellForecast({ marketId, cell, timeZone }: { marketId: string; cell: string; timeZone: string }) {
  const { t, locale } = useWords();
  const [answer, setAnswer] = useState<ForecastActuals | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setAnswer(null);
    setError(null);
    const load = () =>
      api
        .forecastActuals(marketId, cell, HOURS)
        .then((a) => {
          if (stale) return;
          setAnswer(a);
          setError(null);
        })
        .catch((err: unknown) => !stale && setError(err instanceof ApiProblem ? err.message : String(err)));
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stale = true;
      clearInterval(timer);
    };
  }, [marketId, cell]);

  const hasForecast = answer?.points.some((p) => p.forecast !== null) ?? false;
  return (
    <section class="cell-forecast" data-testid="cell-forecast">
      <h3>{t("console.forecast.title")}</h3>
      {error && <p class="error">{error}</p>}
      {!answer && !error && <p class="empty">{t("console.loading")}</p>}
      {answer && !hasForecast && <p class="empty">{t("console.forecast.untrained")}</p>}
      {answer && hasForecast && (
        <>
          <ul class="chart-key" aria-hidden="true">
            <li>
              <span class="line" style={{ color: COLOURS.actual }} />
              {t("console.forecast.actual")}
            </li>
            <li>
              <span class="line dashed" style={{ color: COLOURS.forecast }} />
              {t("console.forecast.forecast")}
            </li>
            <li>
              <span class="band" style={{ background: COLOURS.band }} />
              {t("console.forecast.band")}
            </li>
          </ul>
          <ForecastChart answer={answer} timeZone={timeZone} label={t("console.forecast.title")} />
          {answer.wape !== null && (
            <p class="chart-note" data-testid="forecast-wape">
              {t("console.forecast.wape", { hours: HOURS, wape: answer.wape })}
            </p>
          )}
          {answer.aheadFrom && (
            <p class="chart-note muted">
              {t("console.forecast.note", {
                interval: answer.intervalMinutes,
                horizon: answer.backtestHorizonMinutes,
                time: formatTime(Date.parse(answer.aheadFrom), timeZone, locale.tag),
              })}
            </p>
          )}
        </>
      )}
    </section>
  );
}

function ForecastChart({ answer, timeZone, label }: { answer: ForecastActuals; timeZone: string; label: string }) {
  const { locale } = useWords();
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const points = answer.points;
  const data: uPlot.AlignedData = [
    points.map((p) => Date.parse(p.at) / 1000),
    points.map((p) => p.actual),
    points.map((p) => p.forecast),
    points.map((p) => p.high),
    points.map((p) => p.low),
  ];

  useEffect(() => {
    let chart: uPlot | undefined;
    let disposed = false;
    let resize: ResizeObserver | undefined;
    const hour = new Intl.DateTimeFormat(locale.tag, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const day = new Intl.DateTimeFormat(locale.tag, { timeZone, day: "numeric", month: "short" });
    const clock = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const atMidnight = (ms: number) => clock.format(ms) === "00:00";
    const max = Math.max(1, ...points.flatMap((p) => [p.actual ?? 0, p.high ?? 0]));
    loadUPlot()
      .then((UPlot) => {
        const el = box.current;
        if (disposed || !el) return;
        chart = new UPlot(
          {
            width: el.clientWidth || 360,
            height: HEIGHT,
            legend: { show: false },
            cursor: { drag: { x: false, y: false } },
            // Ticks fall on the market's hours; labels are written in the console's language.
            tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), timeZone),
            scales: { x: { time: true }, y: { range: () => [0, max * 1.08] } },
            axes: [
              {
                stroke: "#52606d",
                grid: { stroke: "#eef2f6" },
                values: (_u, ticks) => ticks.map((s) => (atMidnight(s * 1000) ? day.format(s * 1000) : hour.format(s * 1000))),
              },
              {
                stroke: "#52606d",
                grid: { stroke: "#eef2f6" },
                size: 40,
                values: (_u, ticks) => ticks.map((v) => v.toLocaleString(locale.tag, { maximumFractionDigits: 1 })),
              },
            ],
            series: [
              {},
              { label: "actual", stroke: COLOURS.actual, width: 2, points: { show: false } },
              { label: "forecast", stroke: COLOURS.forecast, width: 2, dash: [6, 4], points: { show: false } },
              { label: "high", stroke: "transparent", points: { show: false } },
              { label: "low", stroke: "transparent", points: { show: false } },
            ],
            bands: [{ series: [3, 4], fill: COLOURS.band }],
          },
          data,
          el,
        );
        resize = new ResizeObserver(() => chart?.setSize({ width: el.clientWidth, height: HEIGHT }));
        resize.observe(el);
      })
      .catch((err: unknown) => setFailed(String(err)));
    return () => {
      disposed = true;
      resize?.disconnect();
      chart?.destroy();
    };
  }, [answer, timeZone, locale.tag]);

  if (failed) return <p class="error">{failed}</p>;
  return (
    <div
      class="forecast-chart"
      ref={box}
      role="img"
      aria-label={label}
      data-points={points.length}
      data-actual={points.filter((p) => p.actual !== null).length}
      data-forecast={points.filter((p) => p.forecast !== null).length}
    />
  );
}
