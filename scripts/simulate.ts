import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { answer, type Body, createEquilibriumClient, type EquilibriumClient } from "../client";
import { MAX_BATCH_EVENTS } from "../shared/contracts/api";
import { type Market, MarketInputSchema, type Product } from "../shared/pricing/market";
import { chartSvg } from "../simulator/chart";
import { City } from "../simulator/city";
import { fixed, type Pricing, percent, type RunSummary, summarize, tableHeader, tableRow, toCsv } from "../simulator/report";
import { SCENARIO_NAMES, type Scenario, type ScenarioName, scenario } from "../simulator/scenario";
import {
  type Arrival,
  type DemandSignal,
  type MinuteRow,
  type QuoteAnswer,
  Simulation,
  type SimulationConfig,
  type SupplyReport,
  simulationDefaults,
} from "../simulator/simulation";
import { describeChanges, type SurgeTimes, scaleSurgeTimes, type TimeChange } from "../simulator/speed";
import {
  BEFORE_LET_OUT_MINUTES,
  compareSeeds,
  comparisonTable,
  DAY_ARMS,
  type DayArmName,
  type DayOptions,
  dayArm,
  runSeed,
  type SeedRuns,
  type StadiumWeekOptions,
} from "../simulator/stadium-week";
import { requestProbability } from "../simulator/willingness";
import { devAuthKeys, devToken } from "./dev-keys";

/**
 * `bun run simulate`: the market simulator's shell. It drives a running platform only through
 * its public API, as driver and rider apps would, while the model in `simulator/` decides what
 * riders and drivers do. Everything with a clock or a socket is here: the step timer, HTTP,
 * the market's settings for the run (and putting them back), the console and the files.
 */

const USAGE = `bun run simulate --market M --scenario S [options]

  --market M            market id (background mode: nyc-manhattan)
  --scenario S          ${SCENARIO_NAMES.join(" | ")} (default weekday)
  --minutes N           simulated minutes (default: the scenario's, 60 or 70)
  --seed K              random seed (default 1): same seed, same riders and drivers
  --url U               platform base URL (default http://127.0.0.1:8787)
  --token T             access token (or EQUILIBRIUM_TOKEN); roles service (apps' events, quotes,
                        heatmap) and operator (to change the market's settings). Without one, a
                        local platform's development key in .dev.vars mints it
  --speed K             simulated seconds per wall second (default 1). Above 1 the market's
                        demand half-life, supply window and update interval are divided by K
                        for the run (within the schema's minimums) and restored after it
  --pricing P           dynamic | static (default dynamic): static runs with surge disabled
  --compare             run dynamic, then static, on the same seed; one chart with both
  --out FILE.csv        per-minute CSV (default sim-out/<scenario>-<pricing>-<seed>.csv);
                        the chart (.svg) and summary (.summary.json) are written beside it
  --drivers N           fleet size (default ≈ 9.3 per cell of the market)
  --riders-per-minute R riders opening the app per minute on an ordinary day (≈ 0.55 per cell)
  --spike F             stadium: venue demand × F while it lets out (default 8)
  --venue LAT,LNG       stadium: the venue (default Madison Square Garden in Manhattan, else the centre)
  --elasticity E        price elasticity of requests at the median willingness to pay (default 1.4)
  --wtp-median M        median willingness to pay, × the static fare (default 1.6)
  --supply-elasticity E how the online fleet answers the price: share × (mean multiplier)^E, from a
                        reserve of half the fleet again (default 0.3; 0: drivers ignore surge)
  --max-pickup-km D     farthest pickup a driver is sent to, road km (default 3)
  --looks-per-minute L  how often an idle driver looks at the multipliers around them (default 0.5)
  --patience S          seconds a rider waits for a driver before giving up (default 120)
  --quote-share Q       share of riders quoted by the platform; the rest priced from the heatmap (default 1)
  --quotes-per-second N at most N quotes a wall second (default 8: the API allows 600 a minute per caller);
                        riders beyond it are priced from the heatmap, at the same multiplier
  --step S              simulated seconds per step, dividing 60 (default 5)
  --product ID          product riders ask for (default the market's first)
  --quiet               no progress bar and no per-minute table
  --background          quiet, loops the weekday scenario until stopped (for the dev command)

bun run simulate --scenario stadium-week [options]   (in process: no platform needed)

  Weeks of the city's history with the stadium's let-outs, a forecast trained on them with the
  platform's models and promotion gate, then the let-out day priced by the platform's pure core
  (a zone state and its pricing policy), once per arm, the same riders in every arm.
  --market M            a market in db/seed/markets (default nyc-manhattan)
  --arms A,B            of ${DAY_ARMS.join(", ")}
                        (default reactive,predictive,followers); the first is the baseline
  --seeds A-B | A,B,C   several seeds (default: --seed): means, and per arm the seeds it did
                        better / equal / worse than the first arm
  --history-weeks N     weeks of history before the day (default 8, at least 3)
  --spike F             the venue's demand at the let-out's sharpest, × its usual (default 5)
  --minutes N           the day's length (default 100: 30 before the let-out, its hour, 10 after)
  --weight W            predictive surge's weight, 0–1 (default the market's, 0.5)
  --horizon N           predictive surge's horizon, 5–120 minutes (default the market's, 30)
  --followers S         share of drivers subscribed to hotspots in the arms with followers (default 0.3)
  --hotspot-every N     minutes between hotspot rankings sent to them (default 5)
  --hotspot-horizon N   the ranking's horizon, 15–60 minutes (default 30)
  --hotspot-top N       top cells a follower chooses among (default 3)
  --hotspot-reach-km D  farthest (road km) a follower drives to a hotspot (default 4)
  and --seed, --drivers, --riders-per-minute, --elasticity, --wtp-median, --supply-elasticity,
  --max-pickup-km, --looks-per-minute, --patience, --step, --product, --out, --quiet as above
`;

/** The in-process scenario's name: not one the platform runs. */
const STADIUM_WEEK = "stadium-week";
type RunScenario = ScenarioName | typeof STADIUM_WEEK;

interface Options {
  url: string;
  token: string | undefined;
  marketId: string;
  scenarioName: RunScenario;
  minutes: number | undefined;
  seed: number;
  speed: number;
  pricing: Pricing;
  compare: boolean;
  out: string | undefined;
  drivers: number | undefined;
  ridersPerMinute: number | undefined;
  spike: number | undefined;
  venue: { lat: number; lng: number } | undefined;
  elasticity: number | undefined;
  supplyElasticity: number | undefined;
  wtpMedian: number | undefined;
  maxPickupKm: number | undefined;
  looksPerMinute: number | undefined;
  patience: number | undefined;
  quoteShare: number | undefined;
  quotesPerSecond: number;
  step: number;
  product: string | undefined;
  quiet: boolean;
  background: boolean;
  week: WeekOptions;
}

/** The in-process stadium week's own options. */
interface WeekOptions {
  arms: DayArmName[];
  seeds: number[] | undefined;
  historyWeeks: number;
  weight: number | undefined;
  horizon: number | undefined;
  followers: number;
  hotspotEvery: number;
  hotspotHorizon: number;
  hotspotTop: number;
  hotspotReachKm: number;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      market: { type: "string" },
      scenario: { type: "string" },
      minutes: { type: "string" },
      seed: { type: "string" },
      url: { type: "string" },
      token: { type: "string" },
      speed: { type: "string" },
      pricing: { type: "string" },
      compare: { type: "boolean" },
      out: { type: "string" },
      drivers: { type: "string" },
      "riders-per-minute": { type: "string" },
      spike: { type: "string" },
      venue: { type: "string" },
      elasticity: { type: "string" },
      "supply-elasticity": { type: "string" },
      "wtp-median": { type: "string" },
      "max-pickup-km": { type: "string" },
      "looks-per-minute": { type: "string" },
      patience: { type: "string" },
      "quote-share": { type: "string" },
      "quotes-per-second": { type: "string" },
      step: { type: "string" },
      product: { type: "string" },
      quiet: { type: "boolean" },
      background: { type: "boolean" },
      arms: { type: "string" },
      seeds: { type: "string" },
      "history-weeks": { type: "string" },
      weight: { type: "string" },
      horizon: { type: "string" },
      followers: { type: "string" },
      "hotspot-every": { type: "string" },
      "hotspot-horizon": { type: "string" },
      "hotspot-top": { type: "string" },
      "hotspot-reach-km": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const num = (name: string, raw: string | undefined, check: (x: number) => boolean, rule: string): number | undefined => {
    if (raw === undefined) return undefined;
    const x = Number(raw);
    if (!Number.isFinite(x) || !check(x)) throw new UsageError(`--${name} ${raw}: ${rule}`);
    return x;
  };
  const background = v.background ?? false;
  const scenarioName = (v.scenario ?? "weekday") as RunScenario;
  const inProcess = scenarioName === STADIUM_WEEK;
  const marketId = v.market ?? (background || inProcess ? "nyc-manhattan" : undefined);
  if (!marketId) throw new UsageError("--market is required");
  if (!inProcess && !SCENARIO_NAMES.includes(scenarioName as ScenarioName))
    throw new UsageError(`--scenario ${v.scenario}: one of ${[...SCENARIO_NAMES, STADIUM_WEEK].join(", ")}`);
  if (inProcess && (v.compare || v.pricing || background || v.speed))
    throw new UsageError(
      `--scenario ${STADIUM_WEEK} runs in process: --arms instead of --compare and --pricing, no --speed or --background`,
    );
  const weekOnly = [
    "arms",
    "seeds",
    "history-weeks",
    "weight",
    "horizon",
    "followers",
    "hotspot-every",
    "hotspot-horizon",
    "hotspot-top",
    "hotspot-reach-km",
  ] as const;
  const stray = weekOnly.find((name) => v[name] !== undefined);
  if (!inProcess && stray) throw new UsageError(`--${stray} is an option of --scenario ${STADIUM_WEEK}`);
  if (inProcess && v.minutes !== undefined && !(Number(v.minutes) > BEFORE_LET_OUT_MINUTES))
    throw new UsageError(
      `--minutes ${v.minutes}: the day runs more than the ${BEFORE_LET_OUT_MINUTES} minutes before the let-out`,
    );
  if (background && scenarioName !== "weekday") throw new UsageError("--background runs the weekday scenario");
  const pricing = (v.pricing ?? "dynamic") as Pricing;
  if (pricing !== "dynamic" && pricing !== "static") throw new UsageError(`--pricing ${v.pricing}: dynamic or static`);
  if (v.compare && v.pricing) throw new UsageError("--compare runs both pricings: drop --pricing");
  if (v.compare && background) throw new UsageError("--compare and --background do not mix");
  let venue: Options["venue"];
  if (v.venue !== undefined) {
    const [lat, lng] = v.venue.split(",").map(Number);
    if (lat === undefined || lng === undefined || !Number.isFinite(lat) || !Number.isFinite(lng))
      throw new UsageError(`--venue ${v.venue}: LAT,LNG`);
    venue = { lat, lng };
  }
  const positive = (x: number) => x > 0;
  const whole = (x: number) => Number.isInteger(x) && x > 0;
  return {
    url: (v.url ?? "http://127.0.0.1:8787").replace(/\/$/, ""),
    token: v.token ?? process.env.EQUILIBRIUM_TOKEN,
    marketId,
    scenarioName,
    minutes: num("minutes", v.minutes, whole, "a whole number of minutes"),
    seed: num("seed", v.seed, Number.isInteger, "an integer") ?? 1,
    speed: num("speed", v.speed, (x) => x >= 1 && x <= 120, "between 1 and 120") ?? 1,
    pricing,
    compare: v.compare ?? false,
    out: v.out,
    drivers: num("drivers", v.drivers, whole, "a whole number"),
    ridersPerMinute: num("riders-per-minute", v["riders-per-minute"], positive, "positive"),
    spike: num("spike", v.spike, (x) => x >= 1, "at least 1"),
    venue,
    elasticity: num("elasticity", v.elasticity, positive, "positive"),
    supplyElasticity: num("supply-elasticity", v["supply-elasticity"], (x) => x >= 0 && x <= 3, "between 0 and 3"),
    wtpMedian: num("wtp-median", v["wtp-median"], positive, "positive"),
    maxPickupKm: num("max-pickup-km", v["max-pickup-km"], positive, "positive"),
    looksPerMinute: num("looks-per-minute", v["looks-per-minute"], (x) => x >= 0 && x <= 12, "between 0 and 12"),
    patience: num("patience", v.patience, (x) => x >= 0, "seconds, at least 0"),
    quoteShare: num("quote-share", v["quote-share"], (x) => x >= 0 && x <= 1, "between 0 and 1"),
    quotesPerSecond: num("quotes-per-second", v["quotes-per-second"], (x) => x >= 0, "at least 0") ?? 8,
    step: num("step", v.step, (x) => whole(x) && 60 % x === 0, "whole seconds dividing 60") ?? 5,
    product: v.product,
    quiet: (v.quiet ?? false) || background,
    background,
    week: {
      arms: armsOf(v.arms),
      seeds: seedsOf(v.seeds),
      historyWeeks: num("history-weeks", v["history-weeks"], (x) => whole(x) && x >= 3 && x <= 12, "3 to 12 weeks") ?? 8,
      weight: num("weight", v.weight, (x) => x >= 0 && x <= 1, "between 0 and 1"),
      horizon: num("horizon", v.horizon, (x) => Number.isInteger(x) && x >= 5 && x <= 120, "5 to 120 minutes"),
      followers: num("followers", v.followers, (x) => x >= 0 && x <= 1, "a share between 0 and 1") ?? 0.3,
      hotspotEvery: num("hotspot-every", v["hotspot-every"], whole, "a whole number of minutes") ?? 5,
      hotspotHorizon:
        num("hotspot-horizon", v["hotspot-horizon"], (x) => Number.isInteger(x) && x >= 15 && x <= 60, "15 to 60 minutes") ?? 30,
      hotspotTop: num("hotspot-top", v["hotspot-top"], whole, "a whole number") ?? 3,
      hotspotReachKm: num("hotspot-reach-km", v["hotspot-reach-km"], positive, "positive") ?? 4,
    },
  };
}

function armsOf(raw: string | undefined): DayArmName[] {
  if (raw === undefined) return ["reactive", "predictive", "followers"];
  const arms = raw.split(",").map((a) => a.trim()) as DayArmName[];
  const unknown = arms.find((a) => !DAY_ARMS.includes(a));
  if (unknown !== undefined || arms.length === 0 || new Set(arms).size !== arms.length)
    throw new UsageError(`--arms ${raw}: distinct names of ${DAY_ARMS.join(", ")}`);
  return arms;
}

function seedsOf(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const range = /^(-?\d+)-(-?\d+)$/.exec(raw);
  const seeds = range
    ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, i) => Number(range[1]) + i)
    : raw.split(",").map(Number);
  if (seeds.length === 0 || seeds.length > 100 || seeds.some((x) => !Number.isInteger(x)))
    throw new UsageError(`--seeds ${raw}: A-B or A,B,C (integers, at most 100)`);
  return seeds;
}

// ── The platform's public API ──────────────────────────────────────────────────────────────

type MarketBody = Omit<Market, "id" | "version" | "updatedAt" | "cellCount" | "zoneCount">;

/** One attempt at a request, given up after 15 s. */
const once = (request: Request) => fetch(request, { signal: AbortSignal.timeout(15_000) });

/** The calls the simulator makes, through the typed client. */
class Api {
  /** Requests refused for the rate limit and retried after the platform's Retry-After. */
  throttled = 0;
  readonly client: EquilibriumClient;

  constructor(
    readonly url: string,
    readonly token: string | undefined,
  ) {
    this.client = createEquilibriumClient({ baseUrl: url, token, fetch: (request) => this.#patiently(request) });
  }

  /** A 429 is waited out and retried: events must not be lost. */
  async #patiently(request: Request): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await once(request.clone());
      if (res.status !== 429 || attempt >= 10) return res;
      this.throttled += 1;
      await res.arrayBuffer();
      await sleep(Math.min(5, Number(res.headers.get("retry-after") ?? 1) || 1) * 1000);
    }
  }

  // The API documents a market's answer only as its ids and counts: the full shape is the Market type behind it.
  market = (marketId: string) =>
    answer(this.client.GET("/v1/markets/{marketId}", { params: { path: { marketId } } })) as Promise<unknown> as Promise<Market>;
  putMarket = (marketId: string, body: MarketBody) =>
    answer(this.client.PUT("/v1/markets/{marketId}", { params: { path: { marketId } }, body }));
  heatmap = async (marketId: string) =>
    (await answer(this.client.GET("/v1/markets/{marketId}/heatmap", { params: { path: { marketId } } }))).cells;
  /** A quote is asked once: a rider the rate limit refuses is priced from the heatmap instead. */
  quote = (a: Arrival, product: string) =>
    answer(this.client.POST("/v1/quotes", { body: { pickup: a.pickup, dropoff: a.dropoff, product }, fetch: once }));
  supply = (events: Body<"/v1/events/supply", "post">["events"]) =>
    answer(this.client.POST("/v1/events/supply", { body: { events } }));
  demand = (events: Body<"/v1/events/demand", "post">["events"]) =>
    answer(this.client.POST("/v1/events/demand", { body: { events } }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function bodyOf(m: Market): MarketBody {
  const { id: _id, version: _version, updatedAt: _updatedAt, cellCount: _cells, zoneCount: _zones, ...body } = m;
  return body;
}

/**
 * The access token: the one given, or for a platform on this machine one minted with the
 * development key in .dev.vars (as `bun run token` does), with the roles the simulator needs.
 */
async function accessToken(options: Options, log: (line: string) => void): Promise<string | undefined> {
  if (options.token) return options.token;
  const local = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(`${options.url}/`);
  const vars = resolve(import.meta.dir, "../.dev.vars");
  if (!local || !devAuthKeys(vars)) return undefined;
  log("using a development token minted from .dev.vars (roles service, operator)");
  return devToken(vars, {
    subject: "simulator",
    roles: ["service", "operator"],
    seconds: 24 * 3600,
  });
}

// ── The market's settings for the run ──────────────────────────────────────────────────────

/**
 * Puts the market's surge settings the run needs (time constants scaled to the speed, surge
 * on or off), and puts the original back at the end. The original is saved to a file first, so
 * a run killed outright can be undone: the next run finds the file and restores from it.
 */
class MarketSettings {
  changes: TimeChange[] = [];
  #original: MarketBody | undefined;
  #current = "";
  #changed = false;

  constructor(
    readonly api: Api,
    readonly id: string,
    readonly speed: number,
    readonly savedFile: string,
  ) {}

  async load(log: (line: string) => void): Promise<Market> {
    const market = await this.api.market(this.id);
    this.#original = bodyOf(market);
    if (existsSync(this.savedFile)) {
      this.#original = JSON.parse(readFileSync(this.savedFile, "utf8")) as MarketBody;
      this.#changed = true;
      log(`found ${this.savedFile}: an earlier run did not restore ${this.id}; its saved settings will be restored at the end`);
    }
    this.#current = JSON.stringify(bodyOf(market));
    const surge = this.#original.surge;
    this.changes = scaleSurgeTimes(timesOf(surge), this.speed).changes;
    return market;
  }

  get original(): MarketBody {
    if (!this.#original) throw new Error("load() first");
    return this.#original;
  }

  /** The time constants as the platform runs them during the run. */
  get times(): SurgeTimes {
    return scaleSurgeTimes(timesOf(this.original.surge), this.speed).times;
  }

  /** Puts the settings for one pricing; true when anything changed on the platform. */
  async use(pricing: Pricing): Promise<boolean> {
    const original = this.original;
    const body: MarketBody = { ...original, surge: { ...original.surge, ...this.times, enabled: pricing === "dynamic" } };
    const wanted = JSON.stringify(body);
    if (wanted === this.#current) return false;
    if (!existsSync(this.savedFile)) {
      mkdirSync(dirname(this.savedFile), { recursive: true });
      writeFileSync(this.savedFile, JSON.stringify(original, null, 2));
    }
    await this.api.putMarket(this.id, body);
    this.#current = wanted;
    this.#changed = wanted !== JSON.stringify(original);
    return true;
  }

  async restore(): Promise<boolean> {
    if (!this.#changed || !this.#original) return false;
    await this.api.putMarket(this.id, this.#original);
    this.#changed = false;
    this.#current = JSON.stringify(this.#original);
    rmSync(this.savedFile, { force: true });
    return true;
  }
}

function timesOf(s: MarketBody["surge"]): SurgeTimes {
  return {
    demandHalfLifeSeconds: s.demandHalfLifeSeconds,
    supplyWindowSeconds: s.supplyWindowSeconds,
    updateIntervalMs: s.updateIntervalMs,
  };
}

// ── Console ────────────────────────────────────────────────────────────────────────────────

/** A progress bar on stderr when it is a terminal, a plain line every tenth otherwise. */
class Progress {
  readonly #tty = process.stderr.isTTY === true;
  #shown = "";
  #lastTenth = -1;

  constructor(
    readonly label: string,
    readonly enabled: boolean,
  ) {}

  update(done: number, total: number, detail: string): void {
    if (!this.enabled) return;
    const share = Math.min(1, done / total);
    if (!this.#tty) {
      const tenth = Math.floor(share * 10);
      if (tenth !== this.#lastTenth) process.stderr.write(`${this.label} ${Math.round(share * 100)}% ${detail}\n`);
      this.#lastTenth = tenth;
      return;
    }
    const width = Math.max(10, Math.min(30, (process.stderr.columns ?? 80) - this.label.length - detail.length - 12));
    const filled = Math.round(share * width);
    this.#shown = `${this.label} ▕${"█".repeat(filled)}${"░".repeat(width - filled)}▏ ${String(Math.round(share * 100)).padStart(3)}% ${detail}`;
    process.stderr.write(`\r\x1b[2K${this.#shown}`);
  }

  /** Prints a line to stdout without tearing the bar. */
  line(text: string): void {
    if (this.#tty && this.#shown) process.stderr.write("\r\x1b[2K");
    process.stdout.write(`${text}\n`);
    if (this.#tty && this.#shown) process.stderr.write(this.#shown);
  }

  end(): void {
    if (this.#tty && this.#shown) process.stderr.write("\r\x1b[2K");
    this.#shown = "";
  }
}

// ── One run ────────────────────────────────────────────────────────────────────────────────

let stopping = false;

interface RunResult {
  pricing: Pricing;
  rows: MinuteRow[];
  summary: RunSummary;
  /** How far the step timer fell behind the wall clock at worst, in ms. */
  maxLagMs: number;
  rejected: number;
  quoteFailures: number;
  /** Riders the quote budget left to be priced from the heatmap. */
  pricedLocally: number;
  /** Calls the rate limit refused (then retried). */
  throttled: number;
  stopped: boolean;
}

interface RunContext {
  options: Options;
  api: Api;
  market: Market;
  product: Product;
  city: City;
  scenario: Scenario;
  minutes: number;
  config: Omit<SimulationConfig, "seed">;
  times: SurgeTimes;
  log: (line: string) => void;
}

function buildContext(options: Options, api: Api, market: Market, times: SurgeTimes, log: (l: string) => void): RunContext {
  const city = new City(market);
  const product = options.product ? market.products.find((p) => p.id === options.product) : market.products[0];
  if (!product) throw new UsageError(`market ${market.id} has no product ${options.product}`);
  const s = scenario(options.scenarioName as ScenarioName, { spikeFactor: options.spike });
  const minutes = options.minutes ?? s.defaultMinutes;
  const defaults = simulationDefaults(city.cells.length);
  // Drivers refresh well inside the platform's supply window (a third of it, with a margin for a late step).
  const reportWallSeconds = (times.supplyWindowSeconds / 3) * 0.8;
  const reportEverySeconds = Math.max(
    options.step,
    Math.floor((reportWallSeconds * options.speed) / options.step) * options.step,
  );
  if ((options.step / options.speed) * 1.05 > reportWallSeconds)
    log(
      `warning: a step (${options.step / options.speed} s of wall time) is longer than a third of the supply window: lower --step`,
    );
  const config: Omit<SimulationConfig, "seed"> = {
    ...modelConfig(options, defaults, product, market.trip),
    scenario: s,
    minutes,
    reportEverySeconds,
  };
  return { options, api, market, product, city, scenario: s, minutes, config, times, log };
}

/** The model's settings as the options set them, over the defaults for the market's size. */
function modelConfig(
  options: Options,
  defaults: ReturnType<typeof simulationDefaults>,
  product: Product,
  trip: Market["trip"],
): Omit<SimulationConfig, "seed" | "scenario" | "minutes"> {
  return {
    ...defaults,
    stepSeconds: options.step,
    fare: product,
    trip,
    fleet: options.drivers ?? defaults.fleet,
    ridersPerMinute: options.ridersPerMinute ?? defaults.ridersPerMinute,
    willingness: {
      median: options.wtpMedian ?? defaults.willingness.median,
      elasticity: options.elasticity ?? defaults.willingness.elasticity,
    },
    maxPickupKm: options.maxPickupKm ?? defaults.maxPickupKm,
    drift: { ...defaults.drift, perMinute: options.looksPerMinute ?? defaults.drift.perMinute },
    patienceSeconds: options.patience ?? defaults.patienceSeconds,
    quoteShare: options.quoteShare ?? defaults.quoteShare,
    supplyElasticity: options.supplyElasticity ?? defaults.supplyElasticity,
    venue: options.venue,
  };
}

async function runOnce(ctx: RunContext, pricing: Pricing, seed: number): Promise<RunResult> {
  const { api, options, market } = ctx;
  const sim = new Simulation(ctx.city, { ...ctx.config, seed });
  // Ids unique to this run: the platform ignores an event id it has seen, and remembers drivers for a while.
  const nonce = `sim${Date.now().toString(36)}`;
  const progress = new Progress(`${ctx.scenario.name} ${pricing}`, !options.quiet);
  const rows: MinuteRow[] = [];
  let rejected = 0;
  let quoteFailures = 0;
  let warnedRejection = false;

  const send = async (supply: SupplyReport[], demand: DemandSignal[], step: number) => {
    const at = Date.now();
    const supplyEvents = supply.map((s, i) => ({
      eventId: `${nonce}-${step}-s${i}`,
      driverId: `${nonce}-${s.driverId}`,
      lat: s.lat,
      lng: s.lng,
      status: s.status,
      at,
    }));
    const demandEvents = demand.map((d, i) => ({
      eventId: `${nonce}-${step}-d${i}`,
      riderId: `${nonce}-${d.riderId}`,
      lat: d.lat,
      lng: d.lng,
      kind: d.kind,
      at,
    }));
    const calls: Array<ReturnType<Api["supply"]>> = [];
    for (let i = 0; i < supplyEvents.length; i += MAX_BATCH_EVENTS)
      calls.push(api.supply(supplyEvents.slice(i, i + MAX_BATCH_EVENTS)));
    for (let i = 0; i < demandEvents.length; i += MAX_BATCH_EVENTS)
      calls.push(api.demand(demandEvents.slice(i, i + MAX_BATCH_EVENTS)));
    for (const result of await Promise.all(calls)) {
      rejected += result.rejected;
      if (result.rejected > 0 && !warnedRejection) {
        warnedRejection = true;
        ctx.log(`warning: the platform rejected events: ${result.rejections[0]?.reason ?? "?"}`);
      }
    }
  };

  // A token bucket over wall time keeps quoting within the API's rate limit at any speed.
  let quoteTokens = options.quotesPerSecond;
  let quoteRefilledAt = performance.now();
  let pricedLocally = 0;
  const quoteAll = async (arrivals: Arrival[]) => {
    const quotes = new Map<string, QuoteAnswer>();
    const now = performance.now();
    quoteTokens = Math.min(options.quotesPerSecond, quoteTokens + ((now - quoteRefilledAt) / 1000) * options.quotesPerSecond);
    quoteRefilledAt = now;
    const wanted = arrivals.filter((a) => {
      if (!a.wantsQuote) return false;
      if (quoteTokens < 1) {
        pricedLocally += 1;
        return false;
      }
      quoteTokens -= 1;
      return true;
    });
    // A few at a time: a stadium minute can bring dozens of riders at once.
    for (let i = 0; i < wanted.length; i += 8) {
      await Promise.all(
        wanted.slice(i, i + 8).map(async (a) => {
          try {
            const q = await api.quote(a, ctx.product.id);
            quotes.set(a.riderId, { total: q.total, multiplier: q.multiplier });
          } catch {
            quoteFailures += 1; // the rider is priced from the heatmap instead
          }
        }),
      );
    }
    return quotes;
  };

  const throttledBefore = api.throttled;
  const stepWallMs = (ctx.config.stepSeconds / options.speed) * 1000;
  const totalSteps = (ctx.minutes * 60) / ctx.config.stepSeconds;
  const started = performance.now();
  let maxLagMs = 0;
  let step = 0;
  let lastRow: MinuteRow | undefined;
  if (!options.quiet) progress.line(`\n${ctx.scenario.name} · ${pricing} pricing · seed ${seed}\n${tableHeader()}`);
  while (!sim.done && !stopping) {
    const lag = performance.now() - (started + step * stepWallMs);
    if (lag < 0) await sleep(-lag);
    else maxLagMs = Math.max(maxLagMs, lag);
    if (stopping) break;
    const heatmap = await api.heatmap(market.id);
    const quotes = await quoteAll(sim.arrivals());
    const out = sim.advance({ heatmap, quotes });
    await send(out.supply, out.demand, step);
    if (out.minute) {
      rows.push(out.minute);
      lastRow = out.minute;
      if (!options.quiet) progress.line(tableRow(out.minute));
    }
    step += 1;
    const detail = lastRow
      ? `min ${lastRow.minute + 1}/${ctx.minutes} · served ${percent(lastRow.completionRate)} · ×${fixed(lastRow.venueMultiplier ?? lastRow.maxMultiplier, 1)}`
      : `min 0/${ctx.minutes}`;
    progress.update(step, totalSteps, detail);
  }
  progress.end();
  // The city settles before the drivers sign off: they stay available where their last trip left
  // them while the riders' demand fades (no new riders come), then go offline, so neither the next
  // run nor the console sees a city at the cap with no drivers under lingering demand.
  await settle(api, market.id, () => send(sim.settle(), [], step + 1), ctx.config.reportEverySeconds / options.speed);
  await send(sim.finish(), [], step + 2).catch(() => undefined);
  const summary = summarize(rows, { scenario: ctx.scenario, pricing, seed });
  return {
    pricing,
    rows,
    summary,
    maxLagMs,
    rejected,
    quoteFailures,
    pricedLocally,
    throttled: api.throttled - throttledBefore,
    stopped: stopping,
  };
}

/**
 * Keeps the fleet reporting (every `everySeconds` of wall time) until the market shows no
 * multiplier above 1.0, for at most a supply window's worth of demand half-lives (60 s of wall time).
 */
async function settle(api: Api, id: string, report: () => Promise<void>, everySeconds: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!stopping && Date.now() < deadline) {
    await report().catch(() => undefined);
    if ((await api.heatmap(id).catch(() => [{ multiplier: 2 }])).every((c) => c.multiplier <= 1)) return;
    await sleep(Math.min(2_000, everySeconds * 1000));
  }
}

/** Waits until the platform shows no multiplier above 1.0 (after surge is switched off), at most `ms`. */
async function waitForRest(api: Api, id: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !stopping) {
    if ((await api.heatmap(id)).every((c) => c.multiplier <= 1)) return;
    await sleep(500);
  }
}

// ── Reporting ──────────────────────────────────────────────────────────────────────────────

function describeRun(ctx: RunContext, r: RunResult): string[] {
  const s = r.summary;
  const lines = [
    `\n${s.scenario} · ${r.pricing} pricing · seed ${s.seed} · ${s.minutes} min${r.stopped ? " (stopped early)" : ""}`,
  ];
  for (const phase of ctx.scenario.phases) {
    const f = s.phases[phase.name];
    if (!f || f.minutes === 0) continue;
    const venue =
      ctx.scenario.usesVenue && f.venue.requests > 0
        ? `   venue: ${percent(f.venue.completionRate)}, ETA ${fixed(f.venue.meanEtaMin, 1)} min, peak ×${fixed(f.venue.maxMultiplier, 1)}`
        : "";
    lines.push(
      `  ${phase.name.padEnd(9)} completion ${percent(f.completionRate).padStart(4)}  ETA ${fixed(f.meanEtaMin, 1).padStart(4)} min  ${f.arrivals} riders: ${f.pricedOut} priced out, ${f.served} served (${percent(f.servedRate)})  ×${fixed(f.meanMultiplier, 2)} mean  ×${fixed(f.maxMultiplier, 1)} max${venue}`,
    );
  }
  lines.push(
    `  whole run: ${s.whole.arrivals} riders opened the app, ${s.whole.pricedOut} were priced out, ${s.whole.served} were served, ${s.whole.unserved} requested and were not`,
  );
  if (ctx.scenario.eventPhase) lines.push(`  ${restedSentence(ctx, s)}`);
  if (r.maxLagMs > 1000)
    lines.push(
      `  note: steps fell up to ${(r.maxLagMs / 1000).toFixed(1)} s behind the wall clock; a lower --speed is more faithful`,
    );
  if (r.rejected > 0) lines.push(`  note: the platform rejected ${r.rejected} events`);
  if (r.quoteFailures > 0) lines.push(`  note: ${r.quoteFailures} quotes failed; those riders were priced from the heatmap`);
  if (r.pricedLocally > 0)
    lines.push(
      `  note: ${r.pricedLocally} riders beyond --quotes-per-second ${ctx.options.quotesPerSecond} were priced from the heatmap`,
    );
  if (r.throttled > 0)
    lines.push(`  note: the rate limit refused ${r.throttled} calls (retried): a lower --speed is more faithful`);
  return lines;
}

/**
 * When the watched multiplier came back to ×1.0 after the event, said the same way in the run's
 * summary and the README: first back at minute X (N after the event), and whether it rose again.
 */
function restedSentence(ctx: RunContext, s: RunSummary): string {
  const watched = ctx.scenario.usesVenue ? "the venue's multiplier" : "the mean multiplier quoted";
  const last = ctx.scenario.usesVenue ? s.end.venueMultiplier : s.end.meanMultiplier;
  if (s.firstRestedAtMinute === null) return `${watched} is not back to ×1.0 by the end (×${fixed(last, 1)})`;
  const after = s.eventEndedAtMinute === null ? "" : ` (${s.firstRestedAtMinute - s.eventEndedAtMinute} min after the event)`;
  const stays =
    s.restedAtMinute === s.firstRestedAtMinute
      ? " and stays there"
      : s.restedAtMinute === null
        ? `, but is ×${fixed(last, 1)} again at the end`
        : `; it rises above ×1.0 again for a while and stays at ×1.0 from minute ${s.restedAtMinute}`;
  return `${watched} is back to ×1.0 at minute ${s.firstRestedAtMinute}${after}${stays}`;
}

function describeComparison(ctx: RunContext, dynamic: RunSummary, fixedPrice: RunSummary): string[] {
  const phase = ctx.scenario.eventPhase ?? ctx.scenario.phases[0]?.name ?? "";
  const d = dynamic.phases[phase];
  const s = fixedPrice.phases[phase];
  if (!d || !s) return [];
  const row = (label: string, a: string, b: string) => `  ${label.padEnd(34)}${a.padStart(10)}${b.padStart(10)}`;
  const p = ctx.scenario.phases.find((x) => x.name === phase);
  const span = p ? `minutes ${Math.round(p.from * ctx.minutes)}–${Math.round(p.to * ctx.minutes)}` : "";
  const lines = [
    `\n${ctx.scenario.name}, ${phase} (${span}), seed ${dynamic.seed}`,
    row("", "dynamic", "static"),
    row("completion rate", percent(d.completionRate), percent(s.completionRate)),
    row("mean pickup ETA (min)", fixed(d.meanEtaMin, 2), fixed(s.meanEtaMin, 2)),
    row("mean request-to-pickup (min)", fixed(d.meanWaitMin, 2), fixed(s.meanWaitMin, 2)),
    row("riders who opened the app", String(d.arrivals), String(s.arrivals)),
    row("priced out (did not request)", String(d.pricedOut), String(s.pricedOut)),
    row("riders who requested", percent(d.requestRate), percent(s.requestRate)),
    row("requested, not served", String(d.unserved), String(s.unserved)),
    row("riders served", String(d.served), String(s.served)),
    row("served, of all who opened the app", percent(d.servedRate), percent(s.servedRate)),
    row("mean multiplier quoted", fixed(d.meanMultiplier, 2), fixed(s.meanMultiplier, 2)),
  ];
  if (ctx.scenario.usesVenue) {
    lines.push(
      row("venue: completion rate", percent(d.venue.completionRate), percent(s.venue.completionRate)),
      row("venue: mean pickup ETA (min)", fixed(d.venue.meanEtaMin, 2), fixed(s.venue.meanEtaMin, 2)),
      row("venue: peak multiplier", fixed(d.venue.maxMultiplier, 1), fixed(s.venue.maxMultiplier, 1)),
    );
  }
  lines.push(
    row("whole run: riders served", String(dynamic.whole.served), String(fixedPrice.whole.served)),
    row("whole run: priced out", String(dynamic.whole.pricedOut), String(fixedPrice.whole.pricedOut)),
    `  dynamic: ${restedSentence(ctx, dynamic)}`,
  );
  return lines;
}

interface Paths {
  csv: (pricing: Pricing) => string;
  svg: string;
  summary: string;
}

function pathsFor(options: Options, scenarioName: string): Paths {
  if (options.out) {
    const out = resolve(options.out);
    const stem = out.replace(/\.csv$/, "");
    if (!options.compare) return { csv: () => `${stem}.csv`, svg: `${stem}.svg`, summary: `${stem}.summary.json` };
    return { csv: (p) => `${stem}-${p}.csv`, svg: `${stem}-compare.svg`, summary: `${stem}-compare.summary.json` };
  }
  const dir = resolve("sim-out");
  const label = options.compare ? "compare" : options.pricing;
  return {
    csv: (p) => join(dir, `${scenarioName}-${p}-${options.seed}.csv`),
    svg: join(dir, `${scenarioName}-${label}-${options.seed}.svg`),
    summary: join(dir, `${scenarioName}-${label}-${options.seed}.summary.json`),
  };
}

function writeOutputs(ctx: RunContext, paths: Paths, results: RunResult[], changes: TimeChange[]): string[] {
  mkdirSync(dirname(paths.svg), { recursive: true });
  const written: string[] = [];
  for (const r of results) {
    writeFileSync(paths.csv(r.pricing), toCsv(r.rows));
    written.push(paths.csv(r.pricing));
  }
  const venue = ctx.scenario.usesVenue ? ctx.city.venue(ctx.options.venue) : undefined;
  const where = venue ? ` at ${venue.name}` : "";
  const title = `${ctx.scenario.name}${where}, ${ctx.market.id}, seed ${ctx.options.seed}: ${results.map((r) => r.pricing).join(" vs ")} pricing`;
  const colours: Record<Pricing, string> = { dynamic: "#1f6feb", static: "#d9480f" };
  writeFileSync(
    paths.svg,
    chartSvg(
      title,
      ctx.scenario,
      results.map((r) => ({
        label: `${r.pricing} pricing`,
        rows: r.rows,
        colour: colours[r.pricing],
        dashed: r.pricing === "static",
      })),
    ),
  );
  written.push(paths.svg);
  const c = ctx.config;
  const runs = Object.fromEntries(
    results.map((r) => [
      r.pricing,
      {
        ...r.summary,
        platform: {
          rejectedEvents: r.rejected,
          failedQuotes: r.quoteFailures,
          pricedFromHeatmap: r.pricedLocally,
          throttledCalls: r.throttled,
          maxLagMs: Math.round(r.maxLagMs),
        },
      },
    ]),
  );
  const dynamic = results.find((r) => r.pricing === "dynamic")?.summary;
  const fixedPrice = results.find((r) => r.pricing === "static")?.summary;
  const phase = ctx.scenario.eventPhase;
  const comparison =
    dynamic && fixedPrice && phase
      ? {
          phase,
          completionRate: { dynamic: dynamic.phases[phase]?.completionRate, static: fixedPrice.phases[phase]?.completionRate },
          meanEtaMin: { dynamic: dynamic.phases[phase]?.meanEtaMin, static: fixedPrice.phases[phase]?.meanEtaMin },
          venueCompletionRate: {
            dynamic: dynamic.phases[phase]?.venue.completionRate,
            static: fixedPrice.phases[phase]?.venue.completionRate,
          },
          venueMeanEtaMin: {
            dynamic: dynamic.phases[phase]?.venue.meanEtaMin,
            static: fixedPrice.phases[phase]?.venue.meanEtaMin,
          },
          restedAtMinute: { dynamic: dynamic.restedAtMinute, static: fixedPrice.restedAtMinute },
          firstRestedAtMinute: { dynamic: dynamic.firstRestedAtMinute, static: fixedPrice.firstRestedAtMinute },
          pricedOut: { dynamic: dynamic.phases[phase]?.pricedOut, static: fixedPrice.phases[phase]?.pricedOut },
          served: { dynamic: dynamic.phases[phase]?.served, static: fixedPrice.phases[phase]?.served },
          servedWholeRun: { dynamic: dynamic.whole.served, static: fixedPrice.whole.served },
        }
      : undefined;
  const summary = {
    market: ctx.market.id,
    scenario: ctx.scenario.name,
    description: ctx.scenario.description,
    seed: ctx.options.seed,
    minutes: ctx.minutes,
    speed: ctx.options.speed,
    phases: ctx.scenario.phases.map((p) => ({ name: p.name, fromMinute: p.from * ctx.minutes, toMinute: p.to * ctx.minutes })),
    venue,
    model: {
      fleet: c.fleet,
      ridersPerMinute: c.ridersPerMinute,
      product: ctx.product.id,
      willingness: c.willingness,
      requestShareAt: Object.fromEntries([1, 1.5, 2, 3].map((x) => [`x${x}`, round3(requestProbability(x, c.willingness))])),
      meanTripKm: c.meanTripKm,
      maxPickupKm: c.maxPickupKm,
      patienceSeconds: c.patienceSeconds,
      stepSeconds: c.stepSeconds,
      quoteShare: c.quoteShare,
      supplyElasticity: c.supplyElasticity,
    },
    platformTimes: ctx.times,
    timeChanges: changes,
    runs,
    comparison,
    stopped: results.some((r) => r.stopped),
  };
  writeFileSync(paths.summary, `${JSON.stringify(summary, null, 2)}\n`);
  written.push(paths.summary);
  return written;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

// ── Entry points ───────────────────────────────────────────────────────────────────────────

async function foreground(options: Options): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const api = new Api(options.url, await accessToken(options, log));
  const scenarioName = options.scenarioName;
  const paths = pathsFor(options, scenarioName);
  const settings = new MarketSettings(
    api,
    options.marketId,
    options.speed,
    join(dirname(paths.svg), `.${options.marketId}.original.json`),
  );
  let market: Market;
  try {
    market = await settings.load(log);
  } catch (e) {
    log(`cannot read market ${options.marketId} at ${options.url}: ${(e as Error).message}`);
    log(api.token ? "is the platform running (bun run dev)?" : "it may need an access token: --token or EQUILIBRIUM_TOKEN");
    return 1;
  }
  const ctx = buildContext(options, api, market, settings.times, log);
  const wallMinutes = (ctx.minutes / options.speed) * (options.compare ? 2 : 1);
  log(
    `${ctx.scenario.description}\n${market.id}: ${ctx.city.cells.length} cells, ${ctx.config.fleet} drivers, ${ctx.config.ridersPerMinute} riders/min, ` +
      `${ctx.minutes} simulated minutes at ×${options.speed} ≈ ${wallMinutes.toFixed(1)} wall minutes${options.compare ? " (two runs)" : ""}`,
  );
  if (ctx.scenario.usesVenue) log(`venue: ${ctx.city.venue(options.venue).name}`);
  if (settings.changes.length > 0)
    log(`the market's time constants for the run (restored after it):\n  ${describeChanges(settings.changes).join("\n  ")}`);

  const results: RunResult[] = [];
  let failure: Error | undefined;
  try {
    for (const pricing of options.compare ? (["dynamic", "static"] as const) : [options.pricing]) {
      if (stopping) break;
      if (await settings.use(pricing)) {
        // Each isolate of the edge worker re-reads markets every 2 s.
        await sleep(2500);
        if (pricing === "static") await waitForRest(api, market.id, 20_000);
      }
      const r = await runOnce(ctx, pricing, options.seed);
      results.push(r);
      for (const line of describeRun(ctx, r)) process.stdout.write(`${line}\n`);
    }
  } catch (e) {
    failure = e as Error;
  }
  try {
    if (await settings.restore()) log(`restored the settings of ${market.id}`);
  } catch (e) {
    log(`could not restore ${market.id} (${(e as Error).message}); its settings are saved in ${settings.savedFile}`);
  }
  if (results.length > 0) {
    const d = results.find((r) => r.pricing === "dynamic");
    const s = results.find((r) => r.pricing === "static");
    if (d && s) for (const line of describeComparison(ctx, d.summary, s.summary)) process.stdout.write(`${line}\n`);
    const written = writeOutputs(ctx, paths, results, settings.changes);
    process.stdout.write(`\nwrote ${written.map((w) => relativeName(w)).join(", ")}\n`);
  }
  if (failure) {
    log(`the run stopped: ${failure.message}`);
    return 1;
  }
  return stopping ? 130 : 0;
}

/** Quiet weekday traffic, looping until stopped: the dev command runs this so the console map moves. */
async function background(options: Options): Promise<number> {
  const log = (line: string) => process.stderr.write(`simulator: ${line}\n`);
  const savedFile = resolve("sim-out", `.${options.marketId}.original.json`);
  let settings: MarketSettings | undefined;
  let announced = false;
  for (let loop = 0; !stopping; loop++) {
    try {
      // A fresh token each loop: the platform may have restarted with new keys, and tokens expire.
      const api = new Api(options.url, await accessToken(options, () => undefined));
      settings = new MarketSettings(api, options.marketId, options.speed, savedFile);
      const market = await settings.load(() => undefined);
      // The console shows the market as its operator set it: surge stays on or off as it is.
      const pricing: Pricing = settings.original.surge.enabled ? "dynamic" : "static";
      if (await settings.use(pricing)) await sleep(2500);
      const ctx = buildContext(options, api, market, settings.times, log);
      if (!announced) {
        log(
          `weekday traffic on ${market.id} (${ctx.config.fleet} drivers, ${ctx.config.ridersPerMinute} riders/min), looping; Ctrl-C stops it`,
        );
        announced = true;
      }
      await runOnce(ctx, pricing, options.seed + loop);
    } catch (e) {
      if (stopping) break;
      // The platform may still be starting, or restarting: wait and try again.
      log(`${(e as Error).message}; retrying in 5 s`);
      await sleep(5000);
    }
  }
  await settings?.restore().catch(() => undefined);
  return 0;
}

/**
 * The stadium week, in process: per seed, the history, the forecast trained on it and the
 * let-out day once per arm; a table of the arms over the seeds, and the files.
 */
async function stadiumWeekRun(options: Options): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const file = resolve(import.meta.dir, `../db/seed/markets/${options.marketId}.json`);
  if (!existsSync(file)) {
    log(`--market ${options.marketId}: no db/seed/markets/${options.marketId}.json`);
    return 2;
  }
  const market = MarketInputSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const city = new City(market);
  const product = options.product ? market.products.find((p) => p.id === options.product) : market.products[0];
  if (!product) {
    log(`market ${options.marketId} has no product ${options.product}`);
    return 2;
  }
  const defaults = simulationDefaults(city.cells.length);
  const w = options.week;
  const dayOptions: DayOptions = {
    predictive: {
      horizonMinutes: w.horizon ?? market.surge.predictive.horizonMinutes,
      weight: w.weight ?? market.surge.predictive.weight,
    },
    hotspots: { everyMinutes: w.hotspotEvery, horizonMinutes: w.hotspotHorizon, top: w.hotspotTop, reachKm: w.hotspotReachKm },
  };
  const arms = w.arms.map((name) => dayArm(name, w.followers));
  const seeds = w.seeds ?? [options.seed];
  const inputFor = (seed: number): StadiumWeekOptions => ({
    city,
    config: { ...modelConfig(options, defaults, product, market.trip), seed },
    settings: market.surge,
    weeks: w.historyWeeks,
    spikeFactor: options.spike ?? 5,
    minutes: options.minutes,
  });
  log(
    `${market.name}: ${city.cells.length} cells, ${inputFor(0).config.fleet} drivers; ${w.historyWeeks} weeks of history, then the let-out day; ` +
      `arms ${arms.map((a) => a.name).join(", ")}; predictive weight ${dayOptions.predictive.weight}, horizon ${dayOptions.predictive.horizonMinutes} min` +
      (arms.some((a) => a.followers > 0) ? `; ${Math.round(w.followers * 100)}% of drivers follow hotspots` : ""),
  );
  const results: SeedRuns[] = [];
  for (const seed of seeds) {
    if (stopping) break;
    const started = performance.now();
    const r = runSeed(inputFor(seed), arms, dayOptions);
    results.push(r);
    const t = r.week.training;
    const wape = (kind: string) => t.models.find((m) => m.kind === kind)?.horizons["60"]?.wape;
    log(
      `seed ${seed}: ${r.week.history.letOuts} let-outs in the history; live model ${t.live} (${t.promoted ? "promoted" : "not promoted: seasonal naive serves"}; ` +
        `WAPE at 60 min ${fixed(wape(t.live) ?? null, 3)} vs seasonal naive ${fixed(t.seasonalNaive["60"] ?? null, 3)}); ` +
        r.runs.map((x) => `${x.arm.name} peak ×${x.whole.venuePeak.toFixed(1)}`).join(", ") +
        ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    if (!options.quiet && seeds.length === 1)
      for (const x of r.runs) {
        process.stdout.write(`\n${x.arm.name}\n${tableHeader()}\n`);
        for (const row of x.rows) process.stdout.write(`${tableRow(row)}\n`);
      }
  }
  if (results.length === 0) return 130;
  const first = results[0] as SeedRuns;
  for (const scope of ["whole", "let-out"]) {
    process.stdout.write(
      `\nstadium week, ${scope === "whole" ? "the whole day" : "the let-out hour"}, seeds ${seeds.join(",")}\n`,
    );
    for (const line of comparisonTable(results, scope)) process.stdout.write(`  ${line}\n`);
  }
  const stem = options.out ? resolve(options.out).replace(/\.csv$/, "") : join(resolve("sim-out"), `stadium-week-${first.seed}`);
  mkdirSync(dirname(stem), { recursive: true });
  const written: string[] = [];
  for (const x of first.runs) {
    const csv = `${stem}-${x.arm.name}.csv`;
    writeFileSync(csv, toCsv(x.rows));
    written.push(csv);
  }
  const colours: Record<string, string> = {
    reactive: "#d9480f",
    predictive: "#1f6feb",
    followers: "#2f9e44",
    "predictive+followers": "#862e9c",
  };
  const venue = city.venue(options.venue);
  writeFileSync(
    `${stem}.svg`,
    chartSvg(
      `Let-out at ${venue.name} after ${w.historyWeeks} weeks of history, ${market.name.split(" — ")[0]}, seed ${first.seed}` +
        (arms.some((a) => a.predictive)
          ? `; predictive weight ${dayOptions.predictive.weight}, ${dayOptions.predictive.horizonMinutes} min`
          : ""),
      first.week.scenario,
      first.runs.map((x, i) => ({
        label: x.arm.name === "followers" ? `reactive, ${Math.round(w.followers * 100)}% follow hotspots` : x.arm.name,
        rows: x.rows,
        colour: colours[x.arm.name] ?? "#495057",
        dashed: i === 0,
      })),
    ),
  );
  written.push(`${stem}.svg`);
  const summary = {
    market: options.marketId,
    scenario: first.week.scenario.description,
    seeds,
    minutes: first.week.minutes,
    historyWeeks: w.historyWeeks,
    spike: options.spike ?? 5,
    predictive: dayOptions.predictive,
    hotspots: { ...dayOptions.hotspots, followers: w.followers },
    comparison: { whole: compareSeeds(results), letOut: compareSeeds(results, "let-out") },
    seedsRun: results.map((r) => ({
      seed: r.seed,
      training: {
        live: r.week.training.live,
        promoted: r.week.training.promoted,
        seasonalNaive: r.week.training.seasonalNaive,
        models: r.week.training.models.map((m) => ({
          kind: m.kind,
          horizons: m.horizons,
          beatsSeasonalNaive: m.beatsSeasonalNaive,
        })),
      },
      arms: r.runs.map((x) => ({
        arm: x.arm,
        whole: x.whole,
        phases: x.phases,
        venuePeakByMinute: x.venuePeakByMinute,
        forecastLift: x.forecastLift,
        hotspotRankings: x.hotspotRankings,
      })),
    })),
  };
  writeFileSync(`${stem}.summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
  written.push(`${stem}.summary.json`);
  process.stdout.write(`\nwrote ${written.map((x) => relativeName(x)).join(", ")}\n`);
  return stopping ? 130 : 0;
}

function relativeName(path: string): string {
  const cwd = `${process.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

if (import.meta.main) {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) {
        process.stderr.write("\nstopped at once; if the market's settings were scaled, the next run restores them\n");
        process.exit(130);
      }
      stopping = true;
      if (!options.quiet) process.stderr.write("\nstopping: signing the drivers off and restoring the market…\n");
    });
  }
  const run = options.scenarioName === STADIUM_WEEK ? stadiumWeekRun : options.background ? background : foreground;
  process.exit(await run(options));
}
