import { base } from "./app";
import { probeAndReport } from "./probes";
import { admin } from "./routes/admin";
import { analytics } from "./routes/analytics";
import { audit } from "./routes/audit";
import { auth } from "./routes/auth";
import { docs } from "./routes/docs";
import { events } from "./routes/events";
import { health } from "./routes/health";
import { live } from "./routes/live";
import { markets } from "./routes/markets";
import { quotes } from "./routes/quotes";
import { surge } from "./routes/surge";
import { system } from "./routes/system";

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
app.route("/", events);
app.route("/", surge);
app.route("/", quotes);
app.route("/", live);
app.route("/", analytics);
app.route("/", admin);
app.route("/", audit);
app.route("/", auth);
app.route("/", system);
app.route("/", docs(app));

/** The app itself (its routes are walked by the access tests), with the cron handler beside `fetch`. */
export default Object.assign(app, {
  /** Every minute: probe each dependency and tell the system-mode object. */
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(probeAndReport(env));
  },
}) satisfies ExportedHandler<Env>;
