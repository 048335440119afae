import { z } from "@hono/zod-openapi";
import type { Backlog } from "../../durable-objects/outbox";
import type { Origin } from "../../shared/contracts/history";
import { LEDGER_SHARDS, ledgerName, outboxStub, SYSTEM_NAME, zoneName } from "../../shared/contracts/objects";
import { marketIndex } from "./market-index";

/**
 * History accepted and not yet confirmed in Postgres, across every outbox: what the backlog and
 * drain routes answer and what the deep readiness probe reports.
 */

/**
 * Every object that hosts a history outbox: each market's zones, the system-mode object, the
 * ledger shards; or, for one market, only its zones.
 */
async function outboxHosts(env: Env, market?: string): Promise<Array<{ name: string; stub: OutboxRpc }>> {
  const index = await marketIndex(env);
  const zones = index.markets
    .filter((m) => market === undefined || m.id === market)
    .flatMap((m) => index.zonesOf(m.id).map((zone): Origin => ({ host: "zone", name: zoneName(m.id, zone) })));
  const ledgers = Array.from({ length: LEDGER_SHARDS }, (_, i): Origin => ({ host: "ledger", name: ledgerName(i) }));
  const origins: Origin[] = market !== undefined ? zones : [...zones, { host: "system", name: SYSTEM_NAME }, ...ledgers];
  return origins.map((origin) => ({ name: origin.name, stub: outboxStub(env, origin) as unknown as OutboxRpc }));
}

/** What every outbox host answers (see `durable-objects/history-producer.ts`). */
interface OutboxRpc {
  backlog(): Promise<Backlog>;
  flush(): Promise<Backlog>;
}

export const BacklogSchema = z.object({
  pending: z.number().int().describe("history rows accepted and not yet confirmed in Postgres"),
  bytes: z.number().int(),
  oldestAgeMs: z.number().int().nullable(),
  inFlight: z.number().int().describe("sent to the history queue, waiting for the writer's confirmation"),
  status: z.enum(["ok", "backed-up", "full"]),
  draining: z.boolean(),
  unreachable: z.number().int().describe("objects that did not answer (their rows are not counted)"),
  hosts: z.array(z.object({ name: z.string(), pending: z.number().int(), oldestAgeMs: z.number().int().nullable() })),
});

/** Sums the backlog of every outbox, or of one market's zones (asking each to send what it holds first when `flush`). */
export async function historyBacklog(
  env: Env,
  flush: boolean,
  market?: string,
): Promise<Omit<z.infer<typeof BacklogSchema>, "draining">> {
  const hosts = await outboxHosts(env, market);
  const answers = await Promise.allSettled(hosts.map((h) => (flush ? h.stub.flush() : h.stub.backlog())));
  const total: Omit<z.infer<typeof BacklogSchema>, "draining"> = {
    pending: 0,
    bytes: 0,
    oldestAgeMs: null,
    inFlight: 0,
    status: "ok",
    unreachable: 0,
    hosts: [],
  };
  const rank = { ok: 0, "backed-up": 1, full: 2 } as const;
  answers.forEach((a, i) => {
    if (a.status === "rejected") {
      total.unreachable += 1;
      return;
    }
    const b = a.value;
    total.pending += b.pending;
    total.bytes += b.bytes;
    total.inFlight += b.inFlight;
    if (b.oldestAgeMs !== null) total.oldestAgeMs = Math.max(total.oldestAgeMs ?? 0, b.oldestAgeMs);
    if (rank[b.status] > rank[total.status]) total.status = b.status;
    if (b.pending > 0) total.hosts.push({ name: hosts[i]?.name ?? "", pending: b.pending, oldestAgeMs: b.oldestAgeMs });
  });
  return total;
}
