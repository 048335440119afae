import { z } from "zod";

/**
 * Demand history as the forecasts learn it: per pricing cell and interval, how many riders
 * searched, how many requested, and how many drivers were available. Requests and searches,
 * not completed trips: trips are censored by supply and by the price itself.
 *
 * Rows arrive by import (a new market's backfill, JSON or CSV) and are kept per (cell, at),
 * `at` being the start of a minute or of a coarser interval. The forecasts sum them into
 * buckets of `intervalMinutes` (15 by default).
 */

/** Rows one import may carry (a CSV of this many rows is ~500 KB, the API's body limit). */
export const MAX_IMPORT_ROWS = 10_000;

const MINUTE_MS = 60_000;

export const HistoryRowSchema = z.object({
  cell: z.string().min(1).max(20).describe("an H3 pricing cell of the market"),
  at: z.iso
    .datetime({ offset: true })
    .refine((s) => Date.parse(s) % MINUTE_MS === 0, "at is the start of a minute (no seconds)")
    .describe("start of the minute or coarser interval the counts cover"),
  searches: z.number().int().min(0).max(1_000_000),
  requests: z.number().int().min(0).max(1_000_000),
  supply: z.number().min(0).max(1_000_000).describe("available drivers, on average over the interval"),
});
export type HistoryRow = z.infer<typeof HistoryRowSchema>;

/** A row once validated: time as epoch milliseconds. */
export interface IntervalRow {
  cell: string;
  at: number;
  searches: number;
  requests: number;
  supply: number;
}

export const HistoryImportSchema = z.object({
  rows: z.array(z.unknown()).min(1, "an import holds at least one row").max(MAX_IMPORT_ROWS),
});

export const HistoryImportResultSchema = z.object({
  accepted: z.number().int().describe("rows valid and stored (inserted, updated or unchanged)"),
  inserted: z.number().int(),
  updated: z.number().int().describe("rows whose (cell, at) was known with other counts: replaced"),
  unchanged: z.number().int().describe("rows already stored exactly so: importing again changes nothing"),
  rejected: z.number().int(),
  rejections: z.array(z.object({ index: z.number().int(), reason: z.string() })),
});
export type HistoryImportResult = z.infer<typeof HistoryImportResultSchema>;

/**
 * Each row checked on its own (a bad row rejects only itself), against the schema and the
 * market's cells; a (cell, at) repeated within one import keeps its last row.
 * @example checkRows([{cell: "882a100d2bfffff", at: "2026-11-02T08:00:00Z", searches: 4, requests: 2, supply: 3}], cells)
 */
export function checkRows(
  raw: readonly unknown[],
  isCell: (cell: string) => boolean,
): { rows: IntervalRow[]; rejections: Array<{ index: number; reason: string }> } {
  const byKey = new Map<string, IntervalRow>();
  const rejections: Array<{ index: number; reason: string }> = [];
  raw.forEach((r, index) => {
    const parsed = HistoryRowSchema.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rejections.push({ index, reason: `${issue?.path.join(".") || "row"}: ${issue?.message ?? "invalid"}` });
      return;
    }
    const row = parsed.data;
    if (!isCell(row.cell)) {
      rejections.push({ index, reason: `cell: ${row.cell} is not a cell of this market` });
      return;
    }
    const at = Date.parse(row.at);
    byKey.set(`${row.cell}@${at}`, { cell: row.cell, at, searches: row.searches, requests: row.requests, supply: row.supply });
  });
  return { rows: [...byKey.values()], rejections };
}

/**
 * Rows of a CSV body (`cell,at,searches,requests,supply` as its header, in any order; numbers as
 * numbers), as the JSON import's rows. A line that is not a row becomes an object the schema
 * rejects with its reason, so CSV and JSON imports refuse the same things the same way.
 * @example csvRows("cell,at,searches,requests,supply\n882a100d2bfffff,2026-11-02T08:00:00Z,4,2,3")
 */
export function csvRows(text: string): unknown[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines.shift() ?? "").split(",").map((h) => unquote(h).toLowerCase());
  const missing = ["cell", "at", "searches", "requests", "supply"].filter((c) => !header.includes(c));
  if (missing.length > 0) throw new CsvError(`The CSV header must name ${missing.join(", ")} (got "${header.join(",")}").`);
  return lines.map((line) => {
    const values = line.split(",").map(unquote);
    const row: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const v = values[i];
      row[name] = name === "cell" || name === "at" ? v : v === undefined || v === "" ? undefined : Number(v);
    });
    return row;
  });
}

export class CsvError extends Error {}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replaceAll('""', '"') : t;
}

/** As CSV, the import's own format (what `csvRows` reads). */
export function toCsv(rows: readonly IntervalRow[]): string {
  const lines = ["cell,at,searches,requests,supply"];
  for (const r of rows)
    lines.push(`${r.cell},${new Date(r.at).toISOString()},${r.searches},${r.requests},${Math.round(r.supply * 100) / 100}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Demand in the units a zone counts it: a request weighs 1, a search `searchWeight` (the
 * market's surge setting), so a forecast adds to live demand like for like.
 */
export function weightedDemand(requests: number, searches: number, searchWeight: number): number {
  return requests + searchWeight * searches;
}
