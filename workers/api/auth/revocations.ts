import { type LiveHost, revocationsStub } from "../../../shared/objects";
import { type Revocation, RevocationList } from "../../../shared/revocation";

/**
 * The edge's view of the revocation list (`durable-objects/revocations.ts`): a copy per
 * isolate, read again at most every `TTL_MS`, so a check costs a few map lookups and a revoked
 * token stops working everywhere within seconds (at once in the isolate that revoked it).
 * When the list object cannot answer, the last copy stays in force: tokens are short, and
 * authentication does not stop for it.
 */
const TTL_MS = 3_000;

let cached: { at: number; list: RevocationList } | undefined;
/** When a request of this isolate started reading the list: the others keep using the copy meanwhile. */
let readingSince = 0;

export async function revocations(env: Env): Promise<RevocationList> {
  const now = Date.now();
  if (cached && now - cached.at < TTL_MS) return cached.list;
  // One request refreshes (not shared: another request's I/O may not be awaited here); if it
  // hangs or fails, another may try after a while.
  if (cached && now - readingSince < TTL_MS) return cached.list;
  readingSince = now;
  try {
    const list = new RevocationList(await revocationsStub(env).list());
    cached = { at: Date.now(), list };
    return list;
  } catch (err) {
    console.warn(JSON.stringify({ level: "warn", message: "revocation list unreachable", error: String(err).slice(0, 300) }));
    cached = { at: Date.now(), list: cached?.list ?? new RevocationList() };
    return cached.list;
  } finally {
    readingSince = 0;
  }
}

/** Records a revocation: in force in this isolate at once, elsewhere within seconds, and on open sockets. */
export async function revoke(env: Env, revocation: Revocation): Promise<void> {
  await revocationsStub(env).revoke(revocation);
  (cached?.list ?? new RevocationList()).add(revocation);
}

/** Live hosts this isolate has told the list about, and until when (bounded). */
const hosts = new Map<string, number>();
const HOSTS_CAP = 5_000;
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
      .then(() => {
        hosts.delete(key);
        hosts.set(key, registered);
        if (hosts.size > HOSTS_CAP) hosts.delete(hosts.keys().next().value as string);
      })
      .catch((err) =>
        console.warn(JSON.stringify({ level: "warn", message: "live host not registered", error: String(err).slice(0, 300) })),
      ),
  );
}
