import type { Destination, OutboxMessage } from "../../shared/contracts/history";
import { LEDGER_SHARDS, ledgerName, ledgerStub } from "../../shared/contracts/objects";
import { GroupCommit } from "../../shared/kit/group-commit";

/**
 * Keeps a record the edge produced (a quote, a verification) in a ledger shard's durable outbox
 * before the answer goes out. Records kept by concurrent requests of this isolate share one call
 * to a shard (a group commit: each request still waits for the commit that carried its record).
 * A shard that cannot take them is followed by another; only if two fail are they given up,
 * loudly, and the caller hears `false`. The same for what the edge tells the notifications worker
 * (`destination`).
 */
export function keepRecord(
  env: Env,
  message: OutboxMessage,
  requestId?: string,
  destination: Destination = "history",
): Promise<boolean> {
  return batches[destination].keep(message, (messages) => keepRecords(env, messages, destination, requestId));
}

/** 200 records a call: a burst of quotes in one commit, still far below an outbox message's limits. */
const batches: Record<Destination, GroupCommit<OutboxMessage, boolean>> = {
  history: new GroupCommit(200),
  notifications: new GroupCommit(200),
};

async function keepRecords(env: Env, messages: OutboxMessage[], destination: Destination, requestId?: string): Promise<boolean> {
  const first = Math.floor(Math.random() * LEDGER_SHARDS);
  for (const shard of [first, (first + 1) % LEDGER_SHARDS]) {
    const name = ledgerName(shard);
    try {
      await ledgerStub(env, shard).record(name, messages, destination);
      return true;
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "warn",
          requestId,
          message: "ledger shard refused records",
          shard: name,
          records: messages.length,
          error: String(err).slice(0, 200),
        }),
      );
    }
  }
  console.error(
    JSON.stringify({ level: "error", requestId, message: `${destination} records not kept`, records: messages.length }),
  );
  return false;
}
