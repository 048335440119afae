import { postBatch } from "./ingest";
import { type Delivery, Listeners } from "./listeners";
import { CellToggle, LIVE_SURGE } from "./live";
import { putBenchMarket, startBenchPlatform, zonesOf } from "./platform";
import { availableMemoryBytes, cpuSeconds, rssBytes } from "./proc";
import { log, mib } from "./report";
import { p50p99, random, sleep } from "./stats";

/**
 * Fan-out: one zone object serving N WebSocket subscribers of one of its cells, N growing in
 * steps (1,000, 5,000, 20,000 in the full run) on the same instance. The subscribers live in a
 * process of their own (`listeners.ts`). Each round POSTs one batch that changes the cell (see
 * `CellToggle`) and times each delivery **from the change**: the `at` the zone stamped on the
 * message when it computed the new multiplier, to the moment the last subscriber had it. The
 * time from the POST (which adds the request, the ingest and the wait for the zone's next
 * publication) is reported beside it.
 *
 * Memory per socket comes from the same run: workerd's resident memory before and after each step
 * of connections, divided by the sockets added.
 */

export interface FanoutStep {
  subscribers: number;
  rounds: number;
  /** From the change (`at`) to the last subscriber, per round. */
  lastMs: { p50: number; p99: number; max: number };
  /** From the change to the median and to the first subscriber, per round. */
  medianMs: { p50: number; p99: number };
  firstMs: { p50: number; p99: number };
  /** From the POST that caused the change to the last subscriber, per round. */
  fromPostMs: { p50: number; p99: number };
  /** Deliveries that never came (summed over rounds). */
  missed: number;
  connectSeconds: number;
  /** workerd's resident memory growth per socket added in this step, bytes. */
  bytesPerSocket: number;
  /** CPU of the receiving process during the rounds, in cores. */
  listenerCores: number;
  /** Resident memory of the receiving process, bytes. */
  listenerRssBytes: number;
}

export interface FanoutResult {
  steps: FanoutStep[];
  /** Steps not run because the machine (shared with others) had not the memory for them. */
  skipped: Array<{ subscribers: number; reason: string }>;
  missed: number;
}

const ROUND_TIMEOUT_MS = 10_000;
const fmtKiB = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
/** Memory left to the machine's other users whatever a step needs. */
const MEMORY_RESERVE_BYTES = 4 * 1024 ** 3;

export async function measureFanout(options: {
  steps: readonly { subscribers: number; rounds: number }[];
}): Promise<FanoutResult> {
  const bench = await startBenchPlatform("fan-out");
  const listeners = Listeners.start();
  try {
    const api = bench.api;
    const [zone] = zonesOf(await putBenchMarket(bench.platform, LIVE_SURGE));
    const cell = zone?.[0];
    if (!cell) throw new Error("the market has no cells");
    const toggle = new CellToggle(cell);
    await toggle.prepare(api);
    const rnd = random(11);
    const wall = () => performance.timeOrigin + performance.now();
    let lastSeq = 0;
    const steps: FanoutStep[] = [];
    let sockets = 0;
    const skipped: FanoutResult["skipped"] = [];
    // What a socket costs both processes, from the last step (a first guess before any).
    let bytesPerSocketBoth = 1024 ** 2;

    for (const step of options.steps) {
      await sleep(1000);
      const needed = (step.subscribers - sockets) * bytesPerSocketBoth;
      if (needed > availableMemoryBytes() - MEMORY_RESERVE_BYTES) {
        const reason = `needs ~${mib(needed).toFixed(0)} MiB more (${fmtKiB(bytesPerSocketBoth)} per socket in workerd and the receiver), ${mib(availableMemoryBytes()).toFixed(0)} MiB available`;
        log(`fan-out: skipping ${step.subscribers} subscribers: ${reason}`);
        skipped.push({ subscribers: step.subscribers, reason });
        continue;
      }
      const rssBefore = rssBytes(bench.pid) ?? 0;
      const listenerBefore = rssBytes(listeners.pid) ?? 0;
      let connected: { sockets: number; seconds: number };
      try {
        connected = await listeners.connect(api, [cell.cell], step.subscribers);
      } catch (error) {
        // Past what this machine holds (open files, memory): report the step, keep the others.
        const reason = error instanceof Error ? error.message : String(error);
        log(`fan-out: ${step.subscribers} subscribers could not connect: ${reason}`);
        skipped.push({ subscribers: step.subscribers, reason });
        break;
      }
      await sleep(1000);
      const added = Math.max(1, connected.sockets - sockets);
      const bytesPerSocket = ((rssBytes(bench.pid) ?? 0) - rssBefore) / added;
      bytesPerSocketBoth = Math.max(0, bytesPerSocket + ((rssBytes(listeners.pid) ?? 0) - listenerBefore) / added);
      sockets = connected.sockets;
      log(
        `fan-out: ${sockets} subscribers of ${cell.cell} (connected in ${connected.seconds.toFixed(1)} s); ${step.rounds} rounds`,
      );

      const lasts: number[] = [];
      const medians: number[] = [];
      const firsts: number[] = [];
      const fromPost: number[] = [];
      let missed = 0;
      const cpuBefore = cpuSeconds(listeners.pid);
      const roundsStarted = performance.now();
      for (let r = 0; r < step.rounds; r++) {
        const change = toggle.next();
        const after = lastSeq;
        const sentAt = wall();
        const [delivery] = await Promise.all([
          listeners.delivery(
            (d: Delivery) => d.cell === cell.cell && d.seq > after && d.multiplier === change.expect,
            ROUND_TIMEOUT_MS,
          ),
          postBatch(api, change.kind, change.body),
        ]);
        toggle.done(change);
        if (!delivery) {
          missed += sockets;
          continue;
        }
        lastSeq = delivery.seq;
        missed += delivery.sockets - delivery.received;
        lasts.push(delivery.last - delivery.at);
        medians.push(delivery.median - delivery.at);
        firsts.push(delivery.first - delivery.at);
        fromPost.push(delivery.last - sentAt);
        await sleep(150 + rnd() * 100);
      }
      const listenerCores = (cpuSeconds(listeners.pid) - cpuBefore) / ((performance.now() - roundsStarted) / 1000);
      const last = p50p99(lasts);
      log(
        `fan-out to ${sockets}: last subscriber p50 ${last.p50.toFixed(1)} ms, p99 ${last.p99.toFixed(1)} ms from the change; ${missed} missed; ~${Math.round(bytesPerSocket)} B/socket (${mib(rssBytes(bench.pid) ?? 0).toFixed(0)} MiB)`,
      );
      steps.push({
        subscribers: sockets,
        rounds: lasts.length,
        lastMs: { ...last, max: Math.max(...lasts) },
        medianMs: p50p99(medians),
        firstMs: p50p99(firsts),
        fromPostMs: p50p99(fromPost),
        missed,
        connectSeconds: connected.seconds,
        bytesPerSocket,
        listenerCores,
        listenerRssBytes: rssBytes(listeners.pid) ?? 0,
      });
    }
    return { steps, skipped, missed: steps.reduce((n, s) => n + s.missed, 0) };
  } finally {
    await listeners.close();
    await bench.dispose();
  }
}
