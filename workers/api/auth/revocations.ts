import { type LiveHost, revocationsStub } from "../../../shared/contracts/objects";
import { ExpiringMap } from "../../../shared/kit/expiring-map";
import { type Revocation, RevocationList } from "../../../shared/platform/revocation";

/**
 * The edge's view of the revocation list (`durable-objects/revocations.ts`): a copy per
 * isolate, read again once it is 3 s old, so a check costs a few map lookups and a revoked token
 * stops working everywhere within seconds (at once in the isolate that revoked it). When the
 * list object cannot answer, the last copy stays in force: tokens are short, and authentication
 * does not stop for it.
 */
const LIST = "revocations";
/** One list; good for 3 s, then its stale copy serves while one request reads it again (or it cannot be read). */
const copies = new ExpiringMap<typeof LIST, RevocationList>({ maxEntries: 1, ttlMs: 3_000 });

export async function revocations(env: Env): Promise<RevocationList> {
  const fresh = copies.get(LIST);
  if (fresh) return fresh;
  // One request refreshes (not shared: another request's I/O may not be awaited here); the
  // others keep the last copy meanwhile, and if this one hangs, another tries after 3 s.
  const last = copies.stale(LIST);
  if (last) copies.set(LIST, last);
  try {
    const list = new RevocationList(await revocationsStub(env).list());
    copies.set(LIST, list);
    return list;
  } catch (err) {
    console.warn(JSON.stringify({ level: "warn", message: "revocation list unreachable", error: String(err).slice(0, 300) }));
    const kept = last ?? new RevocationList();
    copies.set(LIST, kept);
    return kept;
  }
}

/** Records a revocation: in force in this isolate at once, elsewhere within seconds, and on open sockets. */
export async function revoke(env: Env, revocation: Revocation): Promise<void> {
  await revocationsStub(env).revoke(revocation);
  copies.stale(LIST)?.add(revocation);
}

/** Live hosts this isolate has told the list about, each until its registration ends; 5,000 hosts with sockets. */
const hosts = new ExpiringMap<string, number>({ maxEntries: 5_000 });
/** A host is registered for this long beyond the token that needed it, so most connects skip the call. */
const REGISTRATION_SLACK_MS = 10 * 60_000;

/**
 * Tells the revocation list that a Durable Object holds sockets until `until`, so that a
 * revocation reaches them. Called for every socket the edge hands over; most calls are answered
 * from this isolate's memory.
 */
export function registerLiveHost(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, host: LiveHost, until: number): void {
  const key = `${host.kind}:${host.name}`;
  if ((hosts.get(key) ?? 0) >= until) return;
  const registered = until + REGISTRATION_SLACK_MS;
  ctx.waitUntil(
    revocationsStub(env)
      .register(host, registered)
      .then(() => hosts.set(key, registered, registered - Date.now()))
      .catch((err) =>
        console.warn(JSON.stringify({ level: "warn", message: "live host not registered", error: String(err).slice(0, 300) })),
      ),
  );
}
