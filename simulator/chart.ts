import type { Scenario } from "./scenario";
import type { MinuteRow } from "./simulation";

/**
 * The run as an SVG chart, written by hand (no chart library at the edge of a test run): three
 * panels over the minutes of the run — completion rate, mean pickup ETA, multiplier — with the
 * scenario's event shaded and one line per run (dynamic solid, static dashed).
 */

export interface ChartSeries {
  label: string;
  rows: readonly MinuteRow[];
  colour: string;
  dashed?: boolean;
}

interface Panel {
  title: string;
  unit: string;
  /** The panel's lines: the main value of each series, and optionally a secondary, lighter one. */
  value: (r: MinuteRow) => number | null;
  secondary?: { label: string; value: (r: MinuteRow) => number | null };
  floor: number;
  ceiling?: number;
  format: (y: number) => string;
}

const WIDTH = 960;
const PANEL_HEIGHT = 190;
const GAP = 46;
const LEFT = 64;
const RIGHT = 24;
const TOP = 74;

const PANELS: readonly Panel[] = [
  {
    title: "Completion rate (served ÷ requested)",
    unit: "%",
    value: (r) => (r.completionRate === null ? null : r.completionRate * 100),
    floor: 0,
    ceiling: 100,
    format: (y) => `${Math.round(y)}%`,
  },
  {
    title: "Mean pickup ETA of served riders",
    unit: "min",
    value: (r) => r.meanEtaMin,
    floor: 0,
    format: (y) => `${y.toFixed(1)}`,
  },
  {
    title: "Multiplier: mean quoted to riders (thick), highest at the venue / in the market (thin)",
    unit: "×",
    value: (r) => r.meanMultiplier,
    secondary: { label: "venue", value: (r) => r.venueMultiplier ?? r.maxMultiplier },
    floor: 1,
    format: (y) => `×${y.toFixed(1)}`,
  },
];

/** The chart of one or more runs of a scenario. */
export function chartSvg(title: string, scenario: Scenario, series: readonly ChartSeries[]): string {
  const minutes = Math.max(1, ...series.map((s) => s.rows.length));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const height = TOP + PANELS.length * (PANEL_HEIGHT + GAP) + 10;
  const x = (minute: number) => LEFT + (minute / minutes) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="24" font-size="16" font-weight="600">${escapeXml(title)}</text>`,
  ];
  let legendX = LEFT;
  for (const s of series) {
    out.push(
      `<line x1="${legendX}" y1="46" x2="${legendX + 28}" y2="46" stroke="${s.colour}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 4"' : ""}/>`,
      `<text x="${legendX + 34}" y="50">${escapeXml(s.label)}</text>`,
    );
    legendX += 44 + s.label.length * 7;
  }
  const event = scenario.phases.find((p) => p.name === scenario.eventPhase);
  if (event) {
    out.push(
      `<rect x="${legendX}" y="39" width="28" height="14" fill="#f1c40f" fill-opacity="0.18"/>`,
      `<text x="${legendX + 34}" y="50">${escapeXml(event.name)}</text>`,
    );
  }

  PANELS.forEach((panel, i) => {
    const top = TOP + i * (PANEL_HEIGHT + GAP);
    const bottom = top + PANEL_HEIGHT;
    const values = series.flatMap((s) =>
      s.rows.flatMap((r) => [panel.value(r), panel.secondary?.value(r) ?? null]).filter((v): v is number => v !== null),
    );
    const ceiling = panel.ceiling ?? niceCeiling(Math.max(panel.floor + 1, ...values));
    // A little headroom, so a line at the ceiling (100%, the cap) is not drawn on the frame.
    const y = (v: number) => bottom - ((v - panel.floor) / (ceiling - panel.floor)) * (PANEL_HEIGHT - 8);
    out.push(`<text x="${LEFT}" y="${top - 8}" font-weight="600">${escapeXml(panel.title)}</text>`);
    if (event) {
      const from = x(event.from * minutes);
      out.push(
        `<rect x="${from}" y="${top}" width="${x(event.to * minutes) - from}" height="${PANEL_HEIGHT}" fill="#f1c40f" fill-opacity="0.18"/>`,
      );
    }
    for (const tick of ticks(panel.floor, ceiling)) {
      out.push(
        `<line x1="${LEFT}" y1="${y(tick)}" x2="${LEFT + plotWidth}" y2="${y(tick)}" stroke="#e5e7eb"/>`,
        `<text x="${LEFT - 6}" y="${y(tick) + 4}" text-anchor="end" fill="#4b5563">${escapeXml(panel.format(tick))}</text>`,
      );
    }
    const every = minutes <= 20 ? 2 : minutes <= 60 ? 5 : minutes <= 180 ? 15 : 60;
    for (let m = 0; m <= minutes; m += every) {
      out.push(
        `<line x1="${x(m)}" y1="${bottom}" x2="${x(m)}" y2="${bottom + 4}" stroke="#6b7280"/>`,
        `<text x="${x(m)}" y="${bottom + 16}" text-anchor="middle" fill="#4b5563">${m}</text>`,
      );
    }
    out.push(`<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#9ca3af"/>`);
    for (const s of series) {
      const dash = s.dashed ? ' stroke-dasharray="7 4"' : "";
      if (panel.secondary) {
        const d = path(s.rows, panel.secondary.value, x, y);
        if (d) out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.2" stroke-opacity="0.6"${dash}/>`);
      }
      const d = path(s.rows, panel.value, x, y);
      if (d) out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2.5"${dash}/>`);
    }
  });
  out.push(
    `<text x="${LEFT + plotWidth / 2}" y="${height - 4}" text-anchor="middle" fill="#4b5563">minutes since the start of the run</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

/** A polyline through each minute's midpoint, broken where there is no value. */
function path(
  rows: readonly MinuteRow[],
  value: (r: MinuteRow) => number | null,
  x: (m: number) => number,
  y: (v: number) => number,
): string {
  const parts: string[] = [];
  let pen = "M";
  for (const r of rows) {
    const v = value(r);
    if (v === null) {
      pen = "M";
      continue;
    }
    parts.push(`${pen}${x(r.minute + 0.5).toFixed(1)},${y(v).toFixed(1)}`);
    pen = "L";
  }
  return parts.join(" ");
}

function niceCeiling(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10]) if (m * step >= v) return m * step;
  return 10 * step;
}

function ticks(floor: number, ceiling: number): number[] {
  const span = ceiling - floor;
  const raw = span / 4;
  const step = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50].find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = floor; t <= ceiling + 1e-9; t += step) out.push(Math.round(t * 100) / 100);
  return out;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
