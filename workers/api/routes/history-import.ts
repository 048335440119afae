import { createRoute, z } from "@hono/zod-openapi";
import { withAudit } from "../../../db/audit";
import { importIntervals } from "../../../db/forecasts";
import {
  CsvError,
  checkRows,
  csvRows,
  HistoryImportResultSchema,
  HistoryImportSchema,
  HistoryRowSchema,
  MAX_IMPORT_ROWS,
} from "../../../shared/forecast/history";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { router, withDatabase } from "../app";
import { audited } from "../audit";
import { marketIndex } from "../market-index";
import { invalid, ProblemError, problemDoc } from "../problem";

/**
 * A new market's backfill: demand and supply per cell and interval, as JSON or CSV, for the
 * forecasts to learn from. Each row is checked on its own (a bad row rejects only itself, with
 * its index and reason, as ingest does); rows are stored once per (cell, at), so sending an
 * import again changes nothing.
 */
export const historyImport = router();

historyImport.openapi(
  createRoute({
    method: "post",
    path: "/v1/markets/{marketId}/history/import",
    summary: "Import demand history (JSON rows or text/csv): idempotent per (cell, at)",
    description: `At most ${MAX_IMPORT_ROWS} rows per request. CSV: a header naming cell,at,searches,requests,supply (any order), one row per line.`,
    tags: ["forecasts"],
    request: {
      params: z.object({ marketId: MarketIdSchema }),
      // Not `required`: a CSV body is not validated as JSON; each row is checked on its own below.
      body: {
        content: {
          "application/json": {
            schema: HistoryImportSchema.extend({
              rows: HistoryImportSchema.shape.rows.describe(`rows like ${JSON.stringify(Object.keys(HistoryRowSchema.shape))}`),
            }),
          },
          "text/csv": { schema: z.string().describe("cell,at,searches,requests,supply") },
        },
      },
    },
    responses: {
      202: { description: "Counts of what was stored", content: { "application/json": { schema: HistoryImportResultSchema } } },
      404: problemDoc,
      413: problemDoc,
      415: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const index = await marketIndex(c.env);
    const cells = index.cellsOf(marketId);
    if (!index.market(marketId) || !cells) throw new ProblemError(404, { code: "market-unknown", params: { market: marketId } });
    const raw = await rowsOf(c.req.header("content-type") ?? "", () => c.req.text());
    const { rows, rejections } = checkRows(raw, (cell) => cells.has(cell));
    const entry = audited(c, "history.import", marketId, marketId, { rows: rows.length, rejected: rejections.length });
    const counts = await withDatabase(c, (db) => withAudit(db, entry, (tx) => importIntervals(tx, marketId, rows)));
    return c.json({ accepted: rows.length, ...counts, rejected: rejections.length, rejections }, 202);
  },
);

/** The request's rows, from JSON (`{rows: [...]}`) or CSV; not one of those: 415. */
async function rowsOf(type: string, text: () => Promise<string>): Promise<unknown[]> {
  const mediaType = type.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "text/csv") {
    let rows: unknown[];
    try {
      rows = csvRows(await text());
    } catch (err) {
      if (err instanceof CsvError) throw new ProblemError(422, { code: "csv-invalid", params: { reason: err.message } });
      throw err;
    }
    if (rows.length === 0) throw new ProblemError(422, { code: "csv-empty" });
    if (rows.length > MAX_IMPORT_ROWS)
      throw new ProblemError(413, { code: "import-too-large", params: { max: MAX_IMPORT_ROWS, count: rows.length } });
    return rows;
  }
  if (mediaType !== "application/json") throw new ProblemError(415, { code: "import-media-type" });
  let body: unknown;
  try {
    body = JSON.parse(await text());
  } catch {
    throw new ProblemError(422, { code: "body-not-json" });
  }
  const parsed = HistoryImportSchema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data.rows;
}
