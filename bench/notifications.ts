import { parseArgs } from "node:util";
import { buildBenchBundles, MARKET_ID, putBenchMarket, startBenchPlatform } from "./platform";
import { log } from "./report";
import { p50p99, round, sleep } from "./stats";

/**
 * Deliveries per second through the notifications worker, with a webhook receiver that answers
 * at once (Bun.serve in this process). `subscriptions` webhook subscriptions to "surge.below 1.3"
 * (each its own owner, so no frequency limit binds) spread over `cells` cells; then `rounds`
 * crossings of every one of those cells are put on the worker's queue at once, as zones' outboxes
 * would send them. Every (subscription, crossing) is one notice to deliver; crossings of a
 * subscription that arrive while its delivery still waits join it (a digest), so the figures are
 * deliveries (webhook calls) and notices (what they carried) per second, from the first message
 * on the queue to the last notice received, and each delivery's latency from that moment.
 *
 * Runnable on its own: `bun bench/notifications.ts [--subscriptions 1000] [--cells 100]
 * [--rounds 1] [--smoke]`; the last line is JSON.
 */

const { values } = parseArgs({
  options: {
    subscriptions: { type: "string", default: "1000" },
    cells: { type: "string", default: "100" },
    rounds: { type: "string", default: "1" },
    smoke: { type: "boolean", default: false },
  },
});
const smoke = values.smoke === true;
const subscriptions = smoke ? 20 : Number(values.subscriptions);
const cellCount = smoke ? 5 : Number(values.cells);
const rounds = smoke ? 2 : Number(values.rounds);

export interface NotificationsBench {
  subscriptions: number;
  notices: number;
  deliveries: number;
  duplicates: number;
  seconds: number;
  /** From the first delivery received to the last: the sending rate once the queue's batch wait is over. */
  sendingSeconds: number;
  deliveriesPerSecond: number;
  sendingPerSecond: number;
  noticesPerSecond: number;
  latencyMs: { p50: number; p99: number };
}

export async function benchNotifications(): Promise<NotificationsBench> {
  buildBenchBundles();
  const bp = await startBenchPlatform("notifications");
  const received: Array<{ id: string; at: number; notices: number }> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as { id: string; notices: unknown[] };
      received.push({ id: body.id, at: performance.now(), notices: body.notices.length });
      return new Response("ok");
    },
  });
  try {
    const cells = (await putBenchMarket(bp.platform)).slice(0, cellCount);
    log(`notifications: ${subscriptions} subscriptions over ${cells.length} cells`);
    const target = `http://127.0.0.1:${server.port}/hooks`;
    for (let i = 0; i < subscriptions; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, subscriptions - i) }, async (_, k) => {
          const n = i + k;
          const res = await bp.platform
            .as("service", { subject: `bench-partner-${n}`, markets: [MARKET_ID] })
            .json("/v1/notifications/subscriptions", {
              topic: "surge.below",
              market: MARKET_ID,
              threshold: 1.3,
              cells: [(cells[n % cells.length] as (typeof cells)[number]).cell],
              channel: "webhook",
              target,
              limit: { count: 100, minutes: 1 },
            });
          if (res.status !== 201) throw new Error(`subscription ${n}: ${res.status} ${JSON.stringify(res.body)}`);
        }),
      );
    }
    const perCell = new Map<string, number>();
    for (let n = 0; n < subscriptions; n++) {
      const cell = (cells[n % cells.length] as (typeof cells)[number]).cell;
      perCell.set(cell, (perCell.get(cell) ?? 0) + 1);
    }
    const notices = rounds * subscriptions;
    const queue = await bp.platform.notificationsQueue();
    const at = Date.now();
    const started = performance.now();
    for (let r = 0; r < rounds; r++)
      await queue.send(
        JSON.stringify({
          origin: { host: "zone", name: "" },
          seq: 0,
          message: {
            type: "cell-changes",
            market: MARKET_ID,
            zone: "bench",
            changes: cells.map((c) => ({ cell: c.cell, fromTenths: 14, toTenths: 12, seq: 1_000 + r, at: at + r })),
          },
        }),
        { contentType: "text" },
      );
    const deadline = Date.now() + 300_000;
    const carried = () => received.reduce((sum, r) => sum + r.notices, 0);
    while (carried() < notices && Date.now() < deadline) await sleep(50);
    const last = received.reduce((max, r) => Math.max(max, r.at), started);
    const seconds = (last - started) / 1000;
    const first = received.reduce((min, r) => Math.min(min, r.at), last);
    const sending = Math.max(0.001, (last - first) / 1000);
    const ids = new Set(received.map((r) => r.id));
    const result: NotificationsBench = {
      subscriptions,
      notices: carried(),
      deliveries: received.length,
      duplicates: received.length - ids.size,
      seconds: round(seconds, 2),
      sendingSeconds: round(sending, 2),
      deliveriesPerSecond: round(received.length / seconds, 1),
      sendingPerSecond: round(received.length / sending, 1),
      noticesPerSecond: round(carried() / seconds, 1),
      latencyMs: (({ p50, p99 }) => ({ p50: round(p50, 0), p99: round(p99, 0) }))(
        p50p99(received.map((r) => r.at - started).sort((a, b) => a - b)),
      ),
    };
    if (result.notices < notices) log(`notifications: only ${result.notices} of ${notices} notices arrived within 5 min`);
    return result;
  } finally {
    server.stop(true);
    await bp.dispose();
  }
}

if (import.meta.main) {
  const result = await benchNotifications();
  log(
    `notifications: ${result.deliveries} deliveries carrying ${result.notices} notices in ${result.seconds} s: ` +
      `${result.deliveriesPerSecond} deliveries/s (${result.sendingPerSecond}/s from the first to the last), ${result.noticesPerSecond} notices/s; ` +
      `latency p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; duplicates ${result.duplicates}`,
  );
  console.log(JSON.stringify(result));
  process.exit(0);
}
