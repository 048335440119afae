/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { CellHistory } from "./api";

/**
 * A cell's recent multiplier, demand and supply (uPlot, canvas). uPlot is loaded on first use:
 * the map and quote tester never need it, so the first paint does not wait for it.
 */

type UPlotClass = typeof uPlot;
let loading: Promise<UPlotClass> | undefined;
export const loadUPlot = () => {
  loading ??= import("uplot").then((m) => m.default);
  return loading;
};

const HEIGHT = 190;
/** The chart shows at least this much time, so a young history does not stretch a few seconds across it. */
const WINDOW_SECONDS = 5 * 60;

function windowOf(times: ArrayLike<number>): uPlot.Range.MinMax {
  const last = times[times.length - 1] ?? Date.now() / 1000;
  const first = Math.min(times[0] ?? last, last - WINDOW_SECONDS);
  // A little room after the newest point, so it is not drawn on the axis.
  return [first, last + (last - first) * 0.03];
}

export function HistoryChart({ points, timeZone }: { points: CellHistory["points"]; timeZone: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const data: uPlot.AlignedData = [
    points.map((p) => Date.parse(p.at) / 1000),
    points.map((p) => p.multiplier),
    points.map((p) => p.demand),
    points.map((p) => p.supply),
  ];
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | undefined;
    loadUPlot()
      .then((UPlot) => {
        const el = box.current;
        if (disposed || !el) return;
        chart.current = new UPlot(
          {
            width: el.clientWidth,
            height: HEIGHT,
            // A key only: the panel above shows the current values.
            legend: { live: false },
            cursor: { drag: { x: false, y: false } },
            // The time axis reads the market's clock, not the browser's.
            tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), timeZone),
            scales: {
              // From the data itself: uPlot widens a single point to a whole day before any range function sees it.
              x: { time: true, range: (u) => windowOf(u.data[0]) },
              m: { range: (_u, _min, max) => [1, Math.max(1.5, Math.ceil(max * 2) / 2)] },
              n: { range: (_u, _min, max) => [0, Math.max(5, max * 1.1)] },
            },
            axes: [
              { stroke: "#52606d", grid: { stroke: "#eef2f6" } },
              {
                scale: "m",
                stroke: "#52606d",
                grid: { stroke: "#eef2f6" },
                values: (_u, vals) => vals.map((v) => `${v.toFixed(1)}×`),
              },
              { scale: "n", side: 1, stroke: "#52606d", grid: { show: false } },
            ],
            series: [
              {},
              {
                label: "multiplier",
                scale: "m",
                stroke: "#b02060",
                width: 2,
                value: (_u, v) => (v == null ? "–" : `${v.toFixed(1)}×`),
              },
              { label: "demand", scale: "n", stroke: "#e8843c", width: 1.5, value: (_u, v) => (v == null ? "–" : v.toFixed(1)) },
              { label: "supply", scale: "n", stroke: "#2f7d6d", width: 1.5, value: (_u, v) => (v == null ? "–" : v.toFixed(0)) },
            ],
          },
          dataRef.current,
          el,
        );
        resize = new ResizeObserver(() => chart.current?.setSize({ width: el.clientWidth, height: HEIGHT }));
        resize.observe(el);
      })
      .catch((err: unknown) => setFailed(String(err)));
    return () => {
      disposed = true;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setData(data);
  });

  if (failed) return <p class="error">The chart could not load: {failed}</p>;
  return <div class="history" ref={box} data-points={points.length} />;
}
