import type { HistoryMessage } from "../../shared/contracts/history";
import { LEDGER_SHARDS, ledgerName, ledgerStub } from "../../shared/contracts/objects";

/**
 * Keeps a record the edge produced (a verification, a quote priced without its zone) in a
 * ledger shard's durable outbox before the answer goes out. A shard that cannot take it is
 * followed by another; only if two fail is the record given up, loudly.
 */
export async function keepRecord(env: Env, message: HistoryMessage, requestId?: string): Promise<void> {
  const first = Math.floor(Math.random() * LEDGER_SHARDS);
  for (const shard of [first, (first + 1) % LEDGER_SHARDS]) {
    const name = ledgerName(shard);
    try {
      await ledgerStub(env, shard).record(name, [message]);
      return;
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "warn",
          requestId,
          message: "ledger shard refused a record",
          shard: name,
          error: String(err).slice(0, 200),
        }),
      );
    }
  }
  console.error(JSON.stringify({ level: "error", requestId, message: "history record not kept", type: message.type }));
}
