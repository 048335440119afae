import { base } from "./app";
import { admin } from "./routes/admin";
import { analytics } from "./routes/analytics";
import { auth } from "./routes/auth";
import { docs } from "./routes/docs";
import { events } from "./routes/events";
import { health } from "./routes/health";
import { live } from "./routes/live";
import { markets } from "./routes/markets";
import { quotes } from "./routes/quotes";
import { surge } from "./routes/surge";

export { MarketDirectory } from "../../durable-objects/market-directory";
export { MarketFeed } from "../../durable-objects/market-feed";
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
app.route("/", auth);
app.route("/", docs(app));

export default app;
