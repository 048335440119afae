import type { Destination, OutboxMessage } from "../../shared/contracts/history";
import { LEDGER_SHARDS, ledgerName, ledgerStub } from "../../shared/contracts/objects";

/**
 * Keeps a record the edge produced (a verification, a quote priced without its zone) in a
 * ledger shard's durable outbox before the answer goes out. A shard that cannot take it is
 * followed by another; only if two fail is the record given up, loudly. The same for what the
 * edge tells the notifications worker (`destination`).
 */
export async function keepRecord(
  env: Env,
  message: OutboxMessage,
  requestId?: string,
  destination: Destination = "history",
): Promise<boolean> {
  const first = Math.floor(Math.random() * LEDGER_SHARDS);
  for (const shard of [first, (first + 1) % LEDGER_SHARDS]) {
    const name = ledgerName(shard);
    try {
      await ledgerStub(env, shard).record(name, [message], destination);
      return true;
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
  console.error(JSON.stringify({ level: "error", requestId, message: `${destination} record not kept`, type: message.type }));
  return false;
}
