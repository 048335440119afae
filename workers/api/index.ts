import { base } from "./app";
import { experimentWindows } from "./experiments";
import { trainDueMarkets } from "./forecasting";
import { probeAndReport } from "./probes";
import { admin } from "./routes/admin";
import { alerts } from "./routes/alerts";
import { analytics } from "./routes/analytics";
import { audit } from "./routes/audit";
import { auth } from "./routes/auth";
import { calendar } from "./routes/calendar";
import { docs } from "./routes/docs";
import { events } from "./routes/events";
import { experiments } from "./routes/experiments";
import { feedback } from "./routes/feedback";
import { forecastCells } from "./routes/forecast-cells";
import { forecasts } from "./routes/forecasts";
import { health } from "./routes/health";
import { historyImport } from "./routes/history-import";
import { live } from "./routes/live";
import { locales } from "./routes/locales";
import { markets } from "./routes/markets";
import { notifications } from "./routes/notifications";
import { quotes } from "./routes/quotes";
import { replayRoute } from "./routes/replay";
import { surge } from "./routes/surge";
import { system } from "./routes/system";
import { translations } from "./routes/translations";
import { draftOnSchedule } from "./translation";

export { Ledger } from "../../durable-objects/ledger";
export { MarketDirectory } from "../../durable-objects/market-directory";
export { MarketFeed } from "../../durable-objects/market-feed";
export { Revocations } from "../../durable-objects/revocations";
export { SystemMode } from "../../durable-objects/system-mode";
export { Zone } from "../../durable-objects/zone";

/**
 * The edge API worker. Each route module owns its paths; the OpenAPI document is assembled
 * from their schemas.
 */
const app = base();
app.route("/", health);
app.route("/", markets);
app.route("/", alerts);
app.route("/", events);
app.route("/", surge);
app.route("/", quotes);
app.route("/", live);
app.route("/", analytics);
app.route("/", historyImport);
app.route("/", forecasts);
app.route("/", forecastCells);
app.route("/", calendar);
app.route("/", experiments);
app.route("/", replayRoute);
app.route("/", admin);
app.route("/", audit);
app.route("/", auth);
app.route("/", system);
app.route("/", notifications);
app.route("/", locales);
app.route("/", translations);
app.route("/", feedback);
app.route("/", docs(app));

/** The forecasts' cron (as in wrangler.toml): markets whose live model is older than 50 minutes train again. */
const FORECAST_CRON = "7 * * * *";
const FORECAST_EVERY_MS = 50 * 60_000;

/** The app itself (its routes are walked by the access tests), with the cron handler beside `fetch`. */
export default Object.assign(app, {
  /**
   * Every minute: probe each dependency and tell the system-mode object; push each running
   * experiment's window to its zones (and judge guardrails); draft messages a catalogue lacks
   * (nothing to do while every catalogue is complete). Hourly: train markets' forecasts.
   */
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    if (controller.cron === FORECAST_CRON) ctx.waitUntil(trainDueMarkets(env, FORECAST_EVERY_MS));
    else {
      ctx.waitUntil(probeAndReport(env));
      ctx.waitUntil(experimentWindows(env, controller.scheduledTime));
      ctx.waitUntil(draftOnSchedule(env, ctx));
    }
  },
}) satisfies ExportedHandler<Env>;
