/**
 * Equilibrium benchmarks, one run on this machine: `bun bench/run.ts [--smoke] [--generator=wrk|bun]`.
 *
 * Every measurement runs the real bundle in workerd through Miniflare (as the tests do), each on
 * a fresh instance, all traffic to 127.0.0.1. It prints a table (every figure of the speed targets' table
 * with its target and PASS/FAIL, and what explains them) and ends with one line of JSON, also
 * saved to bench/results/latest.json. Ratios compare figures measured side by side in this run:
 * absolute numbers drift two- or threefold between machines, ratios much less. Targets are
 * reported, not enforced: the exit code is 1 only when something broke (error responses, lost
 * messages, a measurement that could not run).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type AnalyticsResult, measureAnalytics } from "./analytics";
import { measureBaseline, platformAssets, type ThroughputResult } from "./baseline";
import { type FanoutResult, type FanoutStep, measureFanout } from "./fanout";
import { measureHistory } from "./history";
import { type HistoryBatchResult, measureHistoryBatch } from "./history-batch";
import { type IngestResult, measureIngest } from "./ingest";
import { type LatencyResult, measureLatency } from "./latency";
import { chooseGenerator, type LoadGenerator } from "./load";
import { type MemoryResult, measureMemory, ownersText } from "./memory";
import { buildBenchBundles, marketCells, platformLogs } from "./platform";
import { type CpuShares, openFileLimits } from "./proc";
import { measureQuoteLatency, type QuoteLatencyResult } from "./quote-latency";
import { halfLoad, measureQuotes, quoteBodies } from "./quotes";
import { fmt, log, markdown, mib, type Row, table } from "./report";
import { round } from "./stats";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const preference = (args.find((a) => a.startsWith("--generator="))?.split("=")[1] ?? "auto") as "auto" | "wrk" | "bun";

const config = smoke
  ? {
      http: { seconds: 3, warmupSeconds: 1, connections: 50 },
      quoteLatency: { seconds: 3, slices: 3 },
      ingest: { seconds: 3, warmupSeconds: 1, concurrency: 4 },
      latency: { samples: 20 },
      fanout: { steps: [{ subscribers: 200, rounds: 15 }] },
      memory: { drivers: 5_000, sockets: 200, seconds: 15, sampleEverySeconds: 1, driversPerSec: 4000 },
      analytics: { events: 20_000, days: 3, queries: 3 },
      history: { seconds: 30, sampleEverySeconds: 5, share: 0.3 },
      historyBatch: { messages: 20, events: 540 },
    }
  : {
      http: { seconds: 10, warmupSeconds: 2, connections: 50 },
      quoteLatency: { seconds: 12, slices: 6 },
      ingest: { seconds: 10, warmupSeconds: 2, concurrency: 4 },
      latency: { samples: 300 },
      fanout: {
        steps: [
          { subscribers: 1000, rounds: 40 },
          { subscribers: 5000, rounds: 40 },
          { subscribers: 20_000, rounds: 20 },
        ],
      },
      // Soak: 5 minutes, well past the replay horizon (event ids are kept 60 s under the soak's settings).
      memory: { drivers: 50_000, sockets: 5000, seconds: 300, sampleEverySeconds: 5, driversPerSec: 4000 },
      analytics: { events: 200_000, days: 30, queries: 5 },
      // 0.3 of the ingest rate measured above (a fresh instance's 10 s): locally the history writer
      // shares workerd's one thread with ingest, whose cost per event grows in a long run (see
      // bench/history.ts).
      history: { seconds: 300, sampleEverySeconds: 10, share: 0.3 },
      // The largest batch the writer takes: 100 messages of ~100 KB.
      historyBatch: { messages: 100, events: 540 },
    };

/** The speed targets (see ../shared/design/product.md, "Where it must be fast"). */
const TARGETS = {
  /** Quotes ÷ the trivial Worker behind the same routing (the platform's [assets] router), throughput. */
  quoteRatio: 0.85,
  /** Quotes' p99 at half their max throughput ÷ the trivial Worker's (same routing) at the same constant rate. */
  quoteP99Ratio: 2,
  /** Accepted ingest events/s ÷ the plain trivial Worker's req/s. */
  ingestRatio: 25,
  /** History rows/s ÷ accepted events/s over the sustained run, and the backlog gone this soon after the load stops. */
  historySustainedRatio: 1,
  historyBacklogAfterStopSeconds: 60,
  /** Event → subscriber of its cell, p99. */
  latencyP99Ms: 50,
  /** One zone's change → its last subscriber, p99, at this many subscribers of one cell. */
  fanoutSubscribers: 5000,
  fanoutP99Ms: 150,
  /** "Well inside" a Durable Object's 128 MB: the API isolate's heap with this many drivers in one zone, at most a quarter of it. */
  memoryDrivers: 50_000,
  memoryHeapMiB: 32,
  /** A month of one market's KPIs by day, p50. */
  analyticsMonthKpiDailyMs: 50,
};

/**
 * What the sustained history benchmark (`bench/history.ts`) reports, as far as this table needs.
 * It hooks in below, where `history` is measured.
 */
interface HistoryFigures {
  sustainedRatio: number;
  backlogAfterStopSeconds: number | null;
  acceptedEventsPerSec: number;
  rowsPerSec: number;
  seconds: number;
}

/**
 * Sockets need a descriptor each (in this process and in workerd, which inherits the limit); the
 * rest of workerd (its objects' SQLite files, the bridges' connections) holds about a thousand
 * more: at 512 spare the last of 9,744 subscribers could not connect.
 */
const FD_HEADROOM = 2048;
/**
 * Descriptors workerd holds per live socket under Miniflare (seen: two; the subscribers' own
 * process holds one each, under the same limit).
 */
const FDS_PER_SOCKET = 2;
/** Exit status of the re-run's shell when the limit cannot be raised (e.g. a container without the capability). */
const CANNOT_RAISE = 97;

/**
 * Re-runs this script under a higher open-file limit when the fan-out needs one (Bun already
 * raises its soft limit to the hard one; root can raise the hard one too), or lowers the fan-out
 * to what the limit allows.
 */
function ensureOpenFiles(sockets: number): void {
  const needed = sockets * FDS_PER_SOCKET + FD_HEADROOM;
  const { soft, hard } = openFileLimits();
  if (soft >= needed) return;
  const reduce = () => {
    const most = Math.max(1, Math.floor((soft - FD_HEADROOM) / FDS_PER_SOCKET));
    const asked = Math.max(...config.fanout.steps.map((s) => s.subscribers));
    if (asked > most)
      fanoutLimitedBy = `${fmt(asked)} asked: ${fmt(soft)} open files allow ${fmt(most)} (${FDS_PER_SOCKET} per socket in workerd)`;
    config.fanout.steps = config.fanout.steps.map((s) => ({ ...s, subscribers: Math.min(s.subscribers, most) }));
    config.memory.sockets = Math.min(config.memory.sockets, most);
    log(
      `open files limited to ${soft} (hard ${hard}), ${FDS_PER_SOCKET} per socket in workerd: fan-out reduced to at most ${most} subscribers`,
    );
  };
  if ((hard < needed && process.getuid?.() !== 0) || process.env.EQUILIBRIUM_BENCH_REEXEC) {
    reduce();
    return;
  }
  log(`raising the open-file limit from ${soft} to ${needed} and starting again`);
  const child = Bun.spawnSync(
    [
      "sh",
      "-c",
      `ulimit -n ${needed} 2>/dev/null || exit ${CANNOT_RAISE}; exec "$@"`,
      "sh",
      process.execPath,
      ...process.argv.slice(1),
    ],
    { stdio: ["inherit", "inherit", "inherit"], env: { ...process.env, EQUILIBRIUM_BENCH_REEXEC: "1" } },
  );
  if (child.exitCode !== CANNOT_RAISE) process.exit(child.exitCode ?? 1);
  reduce();
}

const errors: string[] = [];
/** Why the fan-out's largest step is smaller than asked, if it is. */
let fanoutLimitedBy: string | undefined;

async function attempt<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    log(`${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return undefined;
  }
}

function checkLoad(name: string, r: ThroughputResult | undefined): void {
  if (r && (r.load.statusErrors > 0 || r.load.socketErrors > 0))
    errors.push(
      `${name}: ${r.load.statusErrors} error responses, ${r.load.socketErrors} socket errors; first: ${r.load.firstError ?? "-"}`,
    );
}

function checkDelivery(ingest?: IngestResult, latency?: LatencyResult, fanout?: FanoutResult, memory?: MemoryResult): void {
  if (ingest && ingest.failedBatches > 0)
    errors.push(`ingest: ${ingest.failedBatches} batches failed (warm-up included), e.g. ${ingest.failures.join(" | ")}`);
  if (memory && memory.failedBatches > 0)
    errors.push(`memory: ${memory.failedBatches} requests failed, e.g. ${memory.failures.join(" | ")}`);
  if (ingest && (ingest.rejected > 0 || ingest.duplicate > 0))
    errors.push(`ingest: ${ingest.rejected} events rejected and ${ingest.duplicate} duplicates out of ${ingest.sent} unique`);
  if (latency && latency.missed > 0) errors.push(`latency: ${latency.missed} changes never reached their subscriber`);
  if (fanout && fanout.missed > 0) errors.push(`fan-out: ${fanout.missed} deliveries never arrived`);
}

function checkQuoteLatency(r: QuoteLatencyResult | undefined): void {
  for (const [name, f] of Object.entries({ quotes: r?.quotes, liveness: r?.liveness, trivial: r?.trivial, plain: r?.plain }))
    if (f && (f.statusErrors > 0 || f.socketErrors > 0 || f.unfinished > 0))
      errors.push(
        `${name} at a constant ${f.rate} req/s: ${f.statusErrors} error responses, ${f.socketErrors} socket errors, ${f.unfinished} unanswered; first: ${f.firstError ?? "-"}`,
      );
}

/**
 * Where the CPU went during a measured run (in cores): workerd; this Bun process (its load
 * generator and the database bridges the platform runs in it); wrk; and "others", load on the
 * machine that is not this benchmark's (other people's tests), which the figures suffer from.
 */
function cpuNote(cpu: CpuShares, wrkCores = 0): string {
  const others = Math.max(0, cpu.machine - cpu.workerd - cpu.self - wrkCores);
  const wrk = wrkCores > 0 ? `, wrk ${wrkCores.toFixed(2)}` : "";
  return `cores: workerd ${cpu.workerd.toFixed(2)}, bun ${cpu.self.toFixed(2)}${wrk}, others ${others.toFixed(2)}`;
}

interface Results {
  baseline?: ThroughputResult;
  assetsBaseline?: ThroughputResult;
  quotes?: ThroughputResult;
  quoteLatency?: QuoteLatencyResult;
  ingest?: IngestResult;
  history?: HistoryFigures;
  latency?: LatencyResult;
  fanout?: FanoutResult;
  memory?: MemoryResult;
  historyBatch?: HistoryBatchResult;
  analytics?: AnalyticsResult;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const verdict = (pass: boolean | undefined) => (smoke ? {} : { pass });

/** Throughput: the baselines, quotes and their ratio. */
function quoteRows(generator: LoadGenerator, { baseline, assetsBaseline, quotes, quoteLatency }: Results): Row[] {
  const out: Row[] = [];
  const h = config.http;
  out.push({ figure: "load generator", value: generator.name, note: `${h.connections} connections, ${h.seconds} s per figure` });
  const wrkCores = (r: ThroughputResult) => (r.load.generator === "wrk" ? r.load.generatorCores : 0);
  if (baseline)
    out.push({
      figure: "baseline: trivial Worker",
      value: `${fmt(baseline.load.rps)} req/s`,
      note: cpuNote(baseline.cpu, wrkCores(baseline)),
    });
  if (assetsBaseline)
    out.push({
      figure: "baseline: trivial Worker, same routing",
      value: `${fmt(assetsBaseline.load.rps)} req/s`,
      note: `behind the platform's [assets] router, as every API request is; ${cpuNote(assetsBaseline.cpu, wrkCores(assetsBaseline))}`,
    });
  if (quotes)
    out.push({
      figure: "quotes: POST /v1/quotes",
      value: `${fmt(quotes.load.rps)} req/s`,
      note: `p50 ${ms(quotes.load.latencyMs.p50)}, p99 ${ms(quotes.load.latencyMs.p99)} at full load; ${cpuNote(quotes.cpu, wrkCores(quotes))}`,
    });
  const same = assetsBaseline ?? baseline;
  if (same && quotes) {
    const ratio = quotes.load.rps / same.load.rps;
    out.push({
      figure: "quotes ÷ trivial, same routing",
      value: ratio.toFixed(2),
      target: `≥ ${TARGETS.quoteRatio}`,
      pass: ratio >= TARGETS.quoteRatio,
      note: `${baseline ? `${(quotes.load.rps / baseline.load.rps).toFixed(2)} of the plain trivial Worker` : ""}${assetsBaseline ? "" : "; no [assets] baseline: against the plain one"}`,
    });
  }
  const l = quoteLatency;
  if (l) {
    const same = assetsBaseline ? "same routing" : "plain";
    out.push({
      figure: `quotes at ${fmt(l.rate)} req/s (half load), p99`,
      value: ms(l.quotes.p99),
      note: `constant rate, latency from each request's scheduled time: p50 ${ms(l.quotes.p50)}, p99.9 ${ms(l.quotes.p999)}; ${fmt(l.quotes.requests)} requests in ${l.slices} slices of ${l.sliceSeconds} s, in turn with the trivial Workers`,
    });
    out.push({
      figure: `trivial at ${fmt(l.rate)} req/s, ${same}, p99`,
      value: ms(l.trivial.p99),
      note: `p50 ${ms(l.trivial.p50)}${l.plain ? `; plain trivial Worker p50 ${ms(l.plain.p50)}, p99 ${ms(l.plain.p99)}` : ""}; the generator's own send lag p99 ${ms(l.trivial.sendLagP99Ms)}`,
    });
    out.push({
      figure: `platform's GET /health/live at ${fmt(l.rate)} req/s, p99`,
      value: ms(l.liveness.p99),
      note: `the same workerd and middleware as the quotes, no zone, no signature: the tail the quotes share with all the platform runs on workerd's one thread; p50 ${ms(l.liveness.p50)}, p99.9 ${ms(l.liveness.p999)}`,
    });
    out.push({
      figure: "quote p99 ÷ trivial p99, half load",
      value: l.p99Ratio.toFixed(2),
      target: `≤ ${TARGETS.quoteP99Ratio}`,
      pass: l.p99Ratio <= TARGETS.quoteP99Ratio,
      note: `both at ${fmt(l.rate)} req/s${l.plain ? `; ${(l.quotes.p99 / l.plain.p99).toFixed(2)} against the plain trivial Worker` : ""}`,
    });
  }
  return out;
}

function ingestRows({ baseline, ingest, history }: Results): Row[] {
  const out: Row[] = [];
  if (ingest)
    out.push({
      figure: "ingest: accepted events/s",
      value: fmt(ingest.eventsPerSec),
      note: `${fmt(ingest.accepted)} accepted in ${ingest.batches} batches of 500–1,000 (p50 ${ingest.batchLatencyMs.p50.toFixed(0)} ms, p99 ${ingest.batchLatencyMs.p99.toFixed(0)} ms); ${cpuNote(ingest.cpu)}`,
    });
  if (ingest && baseline) {
    const ratio = ingest.eventsPerSec / baseline.load.rps;
    out.push({
      figure: "ingest events/s ÷ trivial req/s",
      value: ratio.toFixed(1),
      target: `≥ ${TARGETS.ingestRatio}`,
      pass: ratio >= TARGETS.ingestRatio,
      note: `plain trivial Worker: ${fmt(baseline.load.rps)} req/s`,
    });
  }
  if (history) {
    out.push({
      figure: "history rows/s ÷ accepted events/s, sustained",
      value: history.sustainedRatio.toFixed(2),
      target: `≥ ${TARGETS.historySustainedRatio.toFixed(1)}`,
      ...verdict(history.sustainedRatio >= TARGETS.historySustainedRatio),
      note: `${fmt(history.rowsPerSec)} rows/s for ${fmt(history.acceptedEventsPerSec)} accepted events/s over ${Math.round(history.seconds)} s`,
    });
    const drained = history.backlogAfterStopSeconds;
    out.push({
      figure: "history backlog after the load stops",
      value: drained === null ? "not drained" : `0 after ${drained.toFixed(1)} s`,
      target: `0 within ${TARGETS.historyBacklogAfterStopSeconds} s`,
      ...verdict(drained !== null && drained <= TARGETS.historyBacklogAfterStopSeconds),
    });
  } else
    out.push({
      figure: "history: sustained run",
      value: "not measured",
      target: `≥ ${TARGETS.historySustainedRatio.toFixed(1)}; 0 within ${TARGETS.historyBacklogAfterStopSeconds} s`,
      ...verdict(false),
    });
  return out;
}

function liveRows({ latency, fanout }: Results): Row[] {
  const out: Row[] = [];
  if (latency) {
    const { demand, supply } = latency.byKind;
    out.push({
      figure: `event → subscriber p50 (${latency.samples} samples)`,
      value: ms(latency.p50),
      note: `after demand bursts p50 ${ms(demand.p50)} (${demand.samples}), after supply changes ${ms(supply.p50)} (${supply.samples})`,
    });
    out.push({
      figure: "event → subscriber p99",
      value: ms(latency.p99),
      target: `≤ ${TARGETS.latencyP99Ms} ms`,
      pass: latency.p99 <= TARGETS.latencyP99Ms,
      note: `from the POST to the cell's first change on its socket; max ${ms(latency.max)} over ${latency.cells} cells${latency.partial > 0 ? `; ${latency.partial} partial first changes` : ""}`,
    });
  }
  for (const step of fanout?.steps ?? []) {
    const headline = step.subscribers === TARGETS.fanoutSubscribers || (smoke && step === fanout?.steps[0]);
    out.push({
      figure: `fan-out: change → last of ${fmt(step.subscribers)}, p99`,
      value: ms(step.lastMs.p99),
      ...(headline ? { target: `≤ ${TARGETS.fanoutP99Ms} ms at ${fmt(TARGETS.fanoutSubscribers)}` } : {}),
      // A smoke run has fewer subscribers: its pass/fail speaks for the latency only.
      ...(headline ? { pass: step.lastMs.p99 <= TARGETS.fanoutP99Ms } : {}),
      note: `${step === fanout?.steps.at(-1) && fanoutLimitedBy ? `${fanoutLimitedBy}; ` : ""}p50 ${ms(step.lastMs.p50)}; first p50 ${ms(step.firstMs.p50)}, median ${ms(step.medianMs.p50)}; from the POST p50 ${ms(step.fromPostMs.p50)}, p99 ${ms(step.fromPostMs.p99)}; ${step.rounds} rounds; receiver ${step.listenerCores.toFixed(2)} cores; workerd +${fmt(step.bytesPerSocket / 1024)} KiB RSS per socket`,
    });
  }
  for (const skip of fanout?.skipped ?? [])
    out.push({
      figure: `fan-out: change → last of ${fmt(skip.subscribers)}, p99`,
      value: "skipped",
      ...(skip.subscribers === TARGETS.fanoutSubscribers ? { target: `≤ ${TARGETS.fanoutP99Ms} ms`, pass: false } : {}),
      note: skip.reason,
    });
  return out;
}

function memoryRows({ memory, historyBatch: b }: Results): Row[] {
  const out: Row[] = [];
  if (b)
    out.push({
      figure: "memory: history writer, one batch's heap peak",
      value: `+${mib(b.peakAboveBytes).toFixed(1)} MiB`,
      note: `${b.messages} messages, ${(b.bytes / 1e6).toFixed(1)} MB, ${fmt(b.events)} events, written in slices of 2 MB in ${b.seconds.toFixed(1)} s (the queue's 1 s wait included); over ${mib(b.heapBeforeBytes).toFixed(1)} MiB before it; an isolate has 128 MB and batches run 10 at once in production`,
    });
  if (!memory) return out;
  const { cost, soak } = memory;
  const bytes = (heap: number | null, rss: number) => `${heap === null ? "?" : fmt(heap)} B heap, ${fmt(rss)} B RSS`;
  out.push({
    figure: "memory: per driver",
    value: bytes(cost.heapBytesPerDriver, cost.rssBytesPerDriver),
    note: `${fmt(cost.drivers)} drivers into one zone (${fmt(cost.driversHeld)} held); heap of the API isolate, which hosts the zones; RSS of all of workerd (${cost.rssMiB.start} → ${cost.rssMiB.withDrivers} MiB)`,
  });
  out.push({
    figure: "memory: per socket",
    value: bytes(cost.heapBytesPerSocket, cost.rssBytesPerSocket),
    note: `${fmt(cost.sockets)} subscribers of one cell (RSS ${cost.rssMiB.withDrivers} → ${cost.rssMiB.withSockets} MiB)`,
  });
  const perDriver = cost.heapBytesPerDriver;
  const driversMiB = perDriver === null ? null : (perDriver * TARGETS.memoryDrivers) / 1024 ** 2;
  out.push({
    figure: `memory: ${fmt(TARGETS.memoryDrivers)} drivers in one zone`,
    value: driversMiB === null ? "not measured" : `${driversMiB.toFixed(1)} MiB`,
    target: `≤ ${TARGETS.memoryHeapMiB} MiB (¼ of a Durable Object's 128 MB)`,
    ...verdict(driversMiB !== null && driversMiB <= TARGETS.memoryHeapMiB && cost.driversHeld >= TARGETS.memoryDrivers),
    note: `heap per driver × ${fmt(TARGETS.memoryDrivers)}; the whole API isolate (edge, every zone object, garbage not yet collected) held ${cost.apiHeapWithDriversMiB ?? "?"} MiB with them`,
  });
  const r = soak.rssMiB;
  out.push({
    figure: `memory: ${Math.round(soak.seconds)} s soak, RSS first / max / last`,
    value: `${r.first} / ${r.max} / ${r.last} MiB`,
    note: `${fmt(soak.driversSent)} unique drivers, ${fmt(soak.demandSent)} demand events, ${soak.subscribers} subscribers; drivers held max ${fmt(soak.drivers.max)} (one ${soak.supplyWindowSeconds} s window ≈ ${fmt(soak.drivers.expectedSteady)}); storage ${soak.storageMiB.first} → ${soak.storageMiB.last} MiB; history backlog at the end ${soak.outboxPendingLast ?? "?"} rows`,
  });
  if (soak.owners)
    out.push({
      figure: "memory: soak RSS by owner, first → last",
      value: `${soak.owners.first.zone} → ${soak.owners.last.zone} MiB zone`,
      note: `${ownersText(soak.owners.first)} → ${ownersText(soak.owners.last)}: the zone's isolate is the API's (V8 heap reserved + ArrayBuffer backing stores); platform: the history writer and notifications; emulator: Miniflare's queue broker, asset router and entry; native: RSS no isolate reports (SQLite, sockets, what workerd's allocator keeps after a free)`,
    });
  const z = soak.zoneMiB;
  out.push({
    figure: "memory: the zone's isolate levels off",
    value: memory.zoneLevelled === null ? "not measured" : memory.zoneLevelled ? "yes" : "no",
    target: "levels off over 5 min",
    ...verdict(memory.zoneLevelled === true && memory.driversBounded),
    note: `API isolate (heap reserved + backing stores) mean middle / last third ${z ? `${z.meanMiddle} / ${z.meanLast} MiB, max ${z.max}` : "not measured"}; its heap's floor (what collections left) ${soak.apiHeapMiB ? `${soak.apiHeapMiB.minMiddle} / ${soak.apiHeapMiB.minLast} MiB` : "not measured"}${smoke ? " (too short to tell)" : ""}`,
  });
  out.push({
    figure: "memory: RSS and zone heap level off",
    value: memory.bounded ? "yes" : "no",
    target: "levels off over 5 min",
    // A smoke run is shorter than the replay horizon: it shows the parts work, not the plateau.
    ...verdict(memory.bounded),
    note: `RSS mean middle / last third ${r.meanMiddle} / ${r.meanLast} MiB, slope over the last half ${soak.rssSlopeLastHalfMiBPerMin} MiB/min; API heap peak ${soak.apiHeapMiB ? `${soak.apiHeapMiB.maxMiddle} / ${soak.apiHeapMiB.maxLast} MiB` : "not measured"}; drivers bounded: ${memory.driversBounded ? "yes" : "no"}${smoke ? " (too short to tell)" : ""}`,
  });
  return out;
}

function analyticsRows({ analytics: a }: Results): Row[] {
  if (!a) return [];
  const days = Math.round(config.analytics.days);
  return [
    {
      figure: "history: events → Postgres rows/s",
      value: fmt(Math.round(a.rowsPerSec)),
      note: `${fmt(a.events)} events from the edge to rows (outbox, queue, writer) in ${a.writeSeconds.toFixed(1)} s, as fast as the edge takes them`,
    },
    {
      figure: `KPIs of ${days} days by day, p50`,
      value: `${a.kpiDailyMs.p50.toFixed(0)} ms`,
      target: `≤ ${TARGETS.analyticsMonthKpiDailyMs} ms for a month`,
      ...verdict(a.kpiDailyMs.p50 <= TARGETS.analyticsMonthKpiDailyMs),
      note: `${fmt(a.monthRows.surgeMinutes)} cell-minutes, ${fmt(a.monthRows.quotes)} quotes; max ${a.kpiDailyMs.max.toFixed(0)} ms`,
    },
    {
      figure: `KPIs of ${days} days by hour, p50`,
      value: `${a.kpiHourlyMs.p50.toFixed(0)} ms`,
      note: `max ${a.kpiHourlyMs.max.toFixed(0)} ms`,
    },
  ];
}

async function main(): Promise<number> {
  ensureOpenFiles(Math.max(...config.fanout.steps.map((s) => s.subscribers), config.memory.sockets));
  log(`${smoke ? "smoke" : "full"} run; building the worker bundle`);
  buildBenchBundles();
  const generator = chooseGenerator(preference);
  const bodies = quoteBodies(marketCells());

  // Quotes first: the baselines then get the same requests, access token included, and their
  // constant-rate latency is measured at the same rate as the quotes' (half the quotes' maximum).
  const quoted = await attempt("quotes", () => measureQuotes(generator, bodies, config.http));
  const quotes = quoted?.result;
  const request = { bodies, headers: quoted?.headers ?? {} };
  const baseline = await attempt("baseline", () => measureBaseline(generator, request, config.http));
  const assetsBaseline = platformAssets()
    ? await attempt("baseline with assets", () => measureBaseline(generator, request, config.http, "assets"))
    : undefined;
  const quoteLatency = quotes
    ? await attempt("quote latency", () =>
        measureQuoteLatency(generator, bodies, {
          ...config.quoteLatency,
          rate: halfLoad(quotes),
          connections: config.http.connections,
          warmupSeconds: config.http.warmupSeconds,
        }),
      )
    : undefined;
  const ingest = await attempt("ingest", () => measureIngest(config.ingest));
  // The sustained history benchmark (bench/history.ts), at a share of the ingest rate just measured.
  const history: HistoryFigures | undefined = await attempt("history", () =>
    measureHistory({ ...config.history, eventsPerSec: ingest && ingest.eventsPerSec * config.history.share }),
  );
  const latency = await attempt("latency", () => measureLatency(config.latency));
  const fanout = await attempt("fan-out", () => measureFanout(config.fanout));
  const memory = await attempt("memory", () => measureMemory(config.memory));
  const historyBatch = await attempt("history batch", () => measureHistoryBatch(config.historyBatch));
  const analytics = await attempt("analytics", () => measureAnalytics(config.analytics));
  checkLoad("baseline", baseline);
  checkLoad("baseline with assets", assetsBaseline);
  checkLoad("quotes", quotes);
  checkQuoteLatency(quoteLatency);
  checkDelivery(ingest, latency, fanout, memory);
  if (historyBatch && historyBatch.rows < historyBatch.events)
    errors.push(`history batch: ${historyBatch.rows} of ${historyBatch.events} events reached Postgres within 60 s`);

  const num = (v: number | undefined | null, digits = 1) =>
    v === undefined || v === null || !Number.isFinite(v) ? null : round(v, digits);
  const headline =
    fanout?.steps.find((s) => s.subscribers === TARGETS.fanoutSubscribers) ?? (smoke ? fanout?.steps[0] : undefined);
  const result = {
    baselineRps: num(baseline?.load.rps, 0),
    assetsBaselineRps: num(assetsBaseline?.load.rps, 0),
    quoteRps: num(quotes?.load.rps, 0),
    quoteRatio: baseline && quotes ? num(quotes.load.rps / baseline.load.rps, 3) : null,
    quoteRatioToAssetsBaseline: assetsBaseline && quotes ? num(quotes.load.rps / assetsBaseline.load.rps, 3) : null,
    quoteFixedRateRps: num(quoteLatency?.rate, 0),
    quoteP99Ms: num(quoteLatency?.quotes.p99, 2),
    trivialP99Ms: num(quoteLatency?.trivial.p99, 2),
    quoteP99Ratio: num(quoteLatency?.p99Ratio, 2),
    ingestEventsPerSec: num(ingest?.eventsPerSec, 0),
    ingestRatio: ingest && baseline ? num(ingest.eventsPerSec / baseline.load.rps, 2) : null,
    history: {
      sustainedRatio: num(history?.sustainedRatio, 3),
      backlogAfterStopSeconds: num(history?.backlogAfterStopSeconds),
      details: history ?? null,
    },
    latencyP50Ms: num(latency?.p50),
    latencyP99Ms: num(latency?.p99),
    fanoutSubscribers: headline?.subscribers ?? null,
    fanoutP50Ms: num(headline?.lastMs.p50),
    fanoutP99Ms: num(headline?.lastMs.p99),
    fanout: Object.fromEntries(
      (fanout?.steps ?? []).map((s: FanoutStep) => [s.subscribers, { p50Ms: num(s.lastMs.p50), p99Ms: num(s.lastMs.p99) }]),
    ),
    memory: memory ?? null,
    historyBatch: historyBatch ?? null,
    analyticsRowsPerSec: num(analytics?.rowsPerSec, 0),
    analyticsMonthKpiDailyMs: num(analytics?.kpiDailyMs.p50),
    analyticsMonthKpiHourlyMs: num(analytics?.kpiHourlyMs.p50),
    analytics: analytics ?? null,
    smoke,
    generator: generator.name,
    targets: TARGETS,
    details: { baseline, assetsBaseline, quotes, quoteLatency, ingest, latency, fanout },
    platformLogs,
    errors,
  };

  const results: Results = {
    baseline,
    assetsBaseline,
    quotes,
    quoteLatency,
    ingest,
    history,
    latency,
    fanout,
    memory,
    historyBatch,
    analytics,
  };
  const all = [
    ...quoteRows(generator, results),
    ...ingestRows(results),
    ...liveRows(results),
    ...memoryRows(results),
    ...analyticsRows(results),
  ];
  await Bun.write(Bun.stdout, `\n${table(all)}\n`);
  const logged = Object.entries(platformLogs).flatMap(([phase, counts]) =>
    Object.entries(counts).map(([message, n]) => `  - ${phase}: ${n}× ${message}`),
  );
  if (logged.length > 0) await Bun.write(Bun.stdout, `\nWorkers logged:\n${logged.join("\n")}\n`);
  if (errors.length > 0) await Bun.write(Bun.stdout, `\nBROKEN:\n${errors.map((e) => `  - ${e}`).join("\n")}\n`);
  const json = JSON.stringify(result, (_, v) => (typeof v === "number" && !Number.isInteger(v) ? round(v, 3) : v));
  const dir = resolve(import.meta.dir, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, "latest.json"), `${json}\n`);
  // The same table for the README's benchmark section.
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  writeFileSync(resolve(dir, "latest.md"), `${smoke ? "Smoke" : "Full"} run, ${when} UTC.\n\n${markdown(all)}\n`);
  await Bun.write(Bun.stdout, `\n${json}\n`);
  return errors.length > 0 ? 1 : 0;
}

// Exit explicitly: helpers the platform starts in this process (its database bridges) stay listening.
process.exit(await main());
