import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CalendarEntry } from "../shared/forecast/calendar";
import { MAX_IMPORT_ROWS, toCsv } from "../shared/forecast/history";
import { devAuthKeys, devToken } from "./dev-keys";
import { demoHistory, isDemoMarket, VENUES } from "./forecast-market";

/**
 * `npm run history:synth -- --market nyc-manhattan --weeks 8 [--seed 1] [--out history.csv]
 *  [--post http://127.0.0.1:8787 [--as nyc-manhattan]]`
 *
 * A seeded synthetic history of a demo market (weekly and daily seasons, a trend, holidays, the
 * stadium's matches and concerts, noise), ending at the current 15-minute interval so that
 * forecasts trained on it are about now. Written as the import's CSV (stdout, or `--out`), its
 * calendar beside it as JSON (`<out>.calendar.json`); or, with `--post`, imported into a running
 * platform through the API (in chunks, as the market's operator, with the development key) and
 * its calendar registered there, ready for `POST /v1/markets/<id>/forecasts/train`.
 */

const { values } = parseArgs({
  options: {
    market: { type: "string", default: "nyc-manhattan" },
    weeks: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
    out: { type: "string" },
    post: { type: "string" },
    as: { type: "string" },
  },
});
const name = values.market as string;
if (!isDemoMarket(name)) {
  console.error(`--market: one of ${Object.keys(VENUES).join(", ")} (the demo markets in db/seed/markets/)`);
  process.exit(2);
}
const weeks = Number(values.weeks);
const seed = Number(values.seed);
const interval = 15 * 60_000;
const end = Math.floor(Date.now() / interval) * interval;
const history = demoHistory(name, { weeks, seed, end });
const { cells, start } = history;
console.error(
  `${name}: ${cells.length} cells, ${weeks} weeks from ${new Date(start).toISOString()}, ${history.rows.length} rows, ${history.calendar.length} calendar entries (seed ${seed})`,
);

if (values.post) await post(values.post, values.as ?? name, history.rows, history.calendar);
else if (values.out) {
  writeFileSync(values.out, toCsv(history.rows));
  writeFileSync(`${values.out}.calendar.json`, `${JSON.stringify(history.calendar.map(calendarBody), null, 2)}\n`);
  console.error(`wrote ${values.out} and ${values.out}.calendar.json`);
} else process.stdout.write(toCsv(history.rows));

async function post(base: string, marketId: string, rows: typeof history.rows, calendar: CalendarEntry[]): Promise<void> {
  const vars = resolve(import.meta.dir, "../.dev.vars");
  if (!devAuthKeys(vars)) throw new Error("no AUTH_SIGNING_KEYS in .dev.vars: run `npm start` once first");
  const token = await devToken(vars, { subject: "history-synth", roles: ["operator"], markets: [marketId], seconds: 3600 });
  const headers = { authorization: `Bearer ${token}` };
  let stored = 0;
  for (let i = 0; i < rows.length; i += MAX_IMPORT_ROWS) {
    const res = await fetch(`${base}/v1/markets/${marketId}/history/import`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/csv" },
      body: toCsv(rows.slice(i, i + MAX_IMPORT_ROWS)),
    });
    if (res.status !== 202) throw new Error(`import: ${res.status} ${await res.text()}`);
    const counts = (await res.json()) as { accepted: number };
    stored += counts.accepted;
    process.stderr.write(`\rimported ${stored} / ${rows.length}`);
  }
  process.stderr.write("\n");
  for (const entry of calendar) {
    const res = await fetch(`${base}/v1/markets/${marketId}/calendar/${entry.id}`, {
      method: "PUT",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(calendarBody(entry)),
    });
    if (res.status >= 300) throw new Error(`calendar ${entry.id}: ${res.status} ${await res.text()}`);
  }
  console.error(`registered ${calendar.length} calendar entries; train with POST ${base}/v1/markets/${marketId}/forecasts/train`);
}

function calendarBody(e: CalendarEntry) {
  const { id: _id, from, to, ...rest } = e;
  return { ...rest, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
