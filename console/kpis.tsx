/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import { formatMoney } from "../shared/pricing/money";
import { ApiProblem, api, type KpiRow, type Market } from "./api";
import { loadUPlot } from "./history-chart";
import { useWords } from "./i18n";

/**
 * A market's KPIs (`GET /v1/markets/{id}/kpis`, bucketed on the market's own clock): multiplier,
 * supply and demand, quotes and conversion, revenue at surge against the same trips at 1.0, by
 * hour or by day, with charts (uPlot, loaded on first use) and the rows as CSV. Times are the
 * market's, named with its zone, whatever the browser's time zone.
 */

type Span = "24h" | "7d" | "30d";
const SPANS: Record<Span, { hours: number; bucket: "hour" | "day" }> = {
  "24h": { hours: 24, bucket: "hour" },
  "7d": { hours: 7 * 24, bucket: "day" },
  "30d": { hours: 30 * 24, bucket: "day" },
};
const HOUR_MS = 3_600_000;

export function KpiPanel({ market }: { market: Market }) {
  const { t, locale } = useWords();
  const [span, setSpan] = useState<Span>("24h");
  // The rows with the bucket they were asked by: a render between a change of span and its answer shows the old ones whole.
  const [data, setData] = useState<{ rows: KpiRow[]; bucket: "hour" | "day" } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rows = data?.rows ?? null;
  const bucket = data?.bucket ?? SPANS[span].bucket;

  useEffect(() => {
    const { bucket, hours } = SPANS[span];
    setData(null);
    setError(null);
    // Whole hours: the next hour's start, back over the span (days then fall on the market's midnights).
    const to = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
    const from = to - hours * HOUR_MS;
    api
      .kpis(market.id, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket, timezone: "market" })
      .then((answer) => setData({ rows: answer, bucket }))
      .catch((err: unknown) => setError(err instanceof ApiProblem ? err.detail : String(err)));
  }, [market.id, span]);

  const zone = `${market.timezone} (${zoneAbbreviation(Date.now(), market.timezone, locale.tag)})`;
  const when = (at: string) => localTime(at, market.timezone, bucket);
  const money = (minor: number) => formatMoney(Math.round(minor), market.currency, locale.tag);
  const totals = rows && summary(rows);

  return (
    <section class="kpis" data-testid="kpis">
      <div class="kpi-head">
        <label>
          {t("console.kpi.span")}{" "}
          <select value={span} onChange={(e) => setSpan(e.currentTarget.value as Span)}>
            {(Object.keys(SPANS) as Span[]).map((s) => (
              <option key={s} value={s}>
                {t(`console.kpi.span.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <small data-testid="kpi-zone">{t("console.kpi.zone", { zone })}</small>
      </div>
      {error && <p class="notice error">{error}</p>}
      {!rows && !error && <p class="empty">{t("console.kpi.loading")}</p>}
      {rows && rows.length === 0 && <p class="empty">{t("console.kpi.none")}</p>}
      {totals && rows && rows.length > 0 && (
        <>
          <dl class="kpi-cards">
            <Card
              label={t("console.kpi.multiplier")}
              value={`${totals.multiplier.toFixed(2)}×`}
              note={t("console.kpi.peak", { peak: totals.peak.toFixed(1) })}
            />
            <Card
              label={t("console.kpi.supply")}
              value={totals.supply.toFixed(1)}
              note={t("console.kpi.demand", { demand: totals.demand.toFixed(1) })}
            />
            <Card
              label={t("console.kpi.quotes")}
              value={String(totals.quotes)}
              note={t("console.kpi.conversion", { percent: Math.round(totals.conversion * 100) })}
            />
            <Card
              label={t("console.kpi.revenue")}
              value={money(totals.revenueAtSurge)}
              note={t("console.kpi.at-one", { amount: money(totals.revenueAtOne) })}
            />
          </dl>
          <KpiChart rows={rows} timeZone={market.timezone} kind="multiplier" />
          <KpiChart rows={rows} timeZone={market.timezone} kind="balance" />
          <KpiChart rows={rows} timeZone={market.timezone} kind="revenue" value={money} />
          <p>
            <a
              class="button quiet"
              download={`${market.id}-kpis-${bucket}.csv`}
              href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv(rows, bucket, market.timezone, when))}`}
              data-testid="kpi-csv"
            >
              {t("console.kpi.csv")}
            </a>
          </p>
        </>
      )}
    </section>
  );
}

/** The zone's abbreviation now, as the language writes it ("EST", "GMT+7"). */
function zoneAbbreviation(at: number, timeZone: string, tag: string): string {
  const parts = new Intl.DateTimeFormat(tag, { timeZone, timeZoneName: "short" }).formatToParts(at);
  return parts.find((p) => p.type === "timeZoneName")?.value ?? timeZone;
}

function Card({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div class="kpi-card">
      <dt>{label}</dt>
      <dd>
        <strong>{value}</strong>
        <small>{note}</small>
      </dd>
    </div>
  );
}

const num = (v: string | number | null | undefined) => (v === null || v === undefined ? 0 : Number(v));

/** The span at a glance: averages of the buckets that had cells active, sums of quotes and revenue. */
function summary(rows: KpiRow[]) {
  const active = rows.filter((r) => r.avgMultiplier !== null);
  const mean = (key: keyof KpiRow) => (active.length ? active.reduce((s, r) => s + num(r[key]), 0) / active.length : 0);
  const quotes = rows.reduce((s, r) => s + num(r.quotes), 0);
  const verified = rows.reduce((s, r) => s + num(r.verified), 0);
  return {
    multiplier: mean("avgMultiplier") || 1,
    peak: Math.max(1, ...active.map((r) => num(r.peakMultiplier))),
    supply: mean("avgSupply"),
    demand: mean("avgDemand"),
    quotes,
    conversion: quotes ? verified / quotes : 0,
    revenueAtSurge: rows.reduce((s, r) => s + num(r.revenueAtSurge), 0),
    revenueAtOne: rows.reduce((s, r) => s + num(r.revenueAtOne), 0),
  };
}

/** A bucket's start on the market's clock: "2026-12-01 22:00" for hours, "2026-12-01" for days. */
function localTime(at: string, timeZone: string, bucket: "hour" | "day"): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(Date.parse(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = `${get("year")}-${get("month")}-${get("day")}`;
  return bucket === "day" ? day : `${day} ${get("hour")}:${get("minute")}`;
}

const ROUND: Record<string, number> = {
  avgMultiplier: 3,
  peakMultiplier: 1,
  avgSupply: 2,
  avgDemand: 2,
  ratio: 3,
  conversion: 4,
};

/** The rows as CSV, their times on the market's clock (the column says which), values rounded. */
function csv(rows: KpiRow[], bucket: "hour" | "day", timeZone: string, when: (at: string) => string): string {
  const metrics = [
    "avgMultiplier",
    "peakMultiplier",
    "avgSupply",
    "avgDemand",
    "ratio",
    "quotes",
    "verified",
    "conversion",
    "revenueAtSurge",
    "revenueAtOne",
  ] as const;
  const lines = [[`${bucket} (${timeZone})`, ...metrics].join(",")];
  for (const r of rows) {
    const values = metrics.map((m) => {
      const v = r[m];
      if (v === null || v === undefined) return "";
      const digits = ROUND[m];
      return digits === undefined ? String(v) : String(Number(Number(v).toFixed(digits)));
    });
    lines.push([when(String(r[bucket])), ...values].join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

const CHARTS = {
  multiplier: {
    series: [
      { key: "avgMultiplier", label: "average ×", stroke: "#b02060" },
      { key: "peakMultiplier", label: "peak ×", stroke: "#e8843c" },
    ],
  },
  balance: {
    series: [
      { key: "avgDemand", label: "demand", stroke: "#e8843c" },
      { key: "avgSupply", label: "supply", stroke: "#2f7d6d" },
    ],
  },
  revenue: {
    series: [
      { key: "revenueAtSurge", label: "revenue at surge", stroke: "#1f5fbf" },
      { key: "revenueAtOne", label: "at 1.0", stroke: "#8a96a3" },
    ],
  },
} as const;

/** One chart of the KPIs over time; `value` writes the vertical axis (money in the market's currency). */
function KpiChart({
  rows,
  timeZone,
  kind,
  value,
}: {
  rows: KpiRow[];
  timeZone: string;
  kind: keyof typeof CHARTS;
  value?: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const bucket = "hour" in (rows[0] ?? {}) ? "hour" : "day";
  const data: uPlot.AlignedData = [
    rows.map((r) => Date.parse(String(r[bucket])) / 1000),
    ...CHARTS[kind].series.map((s) => rows.map((r) => (r[s.key] === null ? null : num(r[s.key])))),
  ];
  useEffect(() => {
    let chart: uPlot | undefined;
    let disposed = false;
    loadUPlot().then((UPlot) => {
      const el = box.current;
      if (disposed || !el) return;
      chart = new UPlot(
        {
          width: el.clientWidth || 320,
          height: 150,
          tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), timeZone),
          cursor: { drag: { x: false, y: false } },
          axes: [
            { stroke: "#52606d", grid: { stroke: "#eef2f6" } },
            {
              stroke: "#52606d",
              grid: { stroke: "#eef2f6" },
              size: value ? 70 : 50,
              ...(value && { values: (_u: uPlot, ticks: number[]) => ticks.map(value) }),
            },
          ],
          series: [{}, ...CHARTS[kind].series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
        },
        data,
        el,
      );
    });
    return () => {
      disposed = true;
      chart?.destroy();
    };
  }, [rows, kind, timeZone]);
  return <div class="kpi-chart" ref={box} data-chart={kind} />;
}
