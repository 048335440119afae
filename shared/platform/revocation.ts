/**
 * Revoking access tokens before they expire. Access tokens are short (15 minutes) and checked
 * without a database, so a token stays good until its expiry unless something says otherwise:
 * this list says otherwise. An entry revokes
 *  - one token (`token`: its `jti`), e.g. an access token a user reports stolen;
 *  - a session (`session`: a refresh-token family), every access token issued from it: sign-out,
 *    or a rotated refresh token presented again;
 *  - a subject (`subject`): every token of that subject, or delegated by it, issued up to
 *    `issuedBefore` (API key revoked, user disabled).
 * An entry matters only while a token it revokes could still be valid, so each carries `until`
 * (the latest expiry of what it revokes) and the list forgets it after that: it stays small.
 *
 * Pure: no clock (pass `now`), no I/O. The list lives in `durable-objects/revocations.ts`.
 */

export type Revocation =
  | { kind: "token"; id: string; until: number }
  | { kind: "session"; id: string; until: number }
  | { kind: "subject"; id: string; issuedBefore: number; until: number };

/** What a revocation is matched against: the identity an access token carries. All times in ms. */
export interface TokenIdentity {
  subject: string;
  /** The token's `jti`. */
  id: string;
  issuedAt: number;
  expiresAt: number;
  /** The refresh-token family the token was issued from (`sid`), if any. */
  session?: string;
  /** The service that delegated it (`act.sub`), if any: revoking the service revokes it too. */
  delegator?: string;
}

/**
 * Whether a revocation covers a token.
 * @example revokes({ kind: "subject", id: "key_1", issuedBefore: 1000, until: 901_000 }, { subject: "key_1/rider-9", delegator: "key_1", id: "j", issuedAt: 900, expiresAt: 900_900 }) // true
 */
export function revokes(r: Revocation, t: TokenIdentity): boolean {
  switch (r.kind) {
    case "token":
      return t.id === r.id;
    case "session":
      return t.session === r.id;
    case "subject":
      return (t.subject === r.id || t.delegator === r.id) && t.issuedAt <= r.issuedBefore;
  }
}

/** The same revocation, however often it is pushed: kind and id name it. */
export function revocationKey(r: Revocation): string {
  return `${r.kind}:${r.id}`;
}

/**
 * The live revocations, indexed for a check per request (a few map lookups).
 *
 * @example
 * const list = new RevocationList([{ kind: "token", id: "jti-1", until: Date.now() + 60_000 }]);
 * list.revoked(identity, Date.now()) // true for the token whose jti is "jti-1"
 */
export class RevocationList {
  readonly #byKey = new Map<string, Revocation>();

  constructor(entries: Iterable<Revocation> = []) {
    for (const r of entries) this.add(r);
  }

  /** Adds an entry; of two for the same token, session or subject the wider one stays. */
  add(r: Revocation): void {
    const key = revocationKey(r);
    const old = this.#byKey.get(key);
    if (!old) {
      this.#byKey.set(key, r);
      return;
    }
    const issuedBefore = r.kind === "subject" && old.kind === "subject" ? Math.max(r.issuedBefore, old.issuedBefore) : undefined;
    const until = Math.max(r.until, old.until);
    this.#byKey.set(key, issuedBefore === undefined ? { ...r, until } : ({ ...r, until, issuedBefore } as Revocation));
  }

  /** Whether any live entry revokes the token. */
  revoked(t: TokenIdentity, now: number): boolean {
    return this.matching(t, now) !== undefined;
  }

  /** The live entry that revokes the token, if any. */
  matching(t: TokenIdentity, now: number): Revocation | undefined {
    const candidates = [
      this.#byKey.get(`token:${t.id}`),
      t.session === undefined ? undefined : this.#byKey.get(`session:${t.session}`),
      this.#byKey.get(`subject:${t.subject}`),
      t.delegator === undefined ? undefined : this.#byKey.get(`subject:${t.delegator}`),
    ];
    return candidates.find((r) => r !== undefined && r.until > now && revokes(r, t));
  }

  /** Drops entries that can no longer revoke a valid token. */
  prune(now: number): void {
    for (const [key, r] of this.#byKey) if (r.until <= now) this.#byKey.delete(key);
  }

  entries(): Revocation[] {
    return [...this.#byKey.values()];
  }

  get size(): number {
    return this.#byKey.size;
  }
}
