import { type CryptoKey, errors, exportJWK, importJWK, type JWK, type JWTHeaderParameters } from "jose";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import { ProblemError } from "./problem";

/**
 * ES256 key sets from a Worker secret holding a private JWK or a JSON array of them, each with
 * a `kid`. The first key signs; every key verifies, so rotation is: put the new key first, keep
 * the old one after it until what it signed has expired, then drop it. Used by access tokens
 * (`AUTH_SIGNING_KEYS`) and quotes (`QUOTE_SIGNING_KEY`); imported once per isolate per value.
 */
export const ALG = "ES256";

export interface KeySet {
  signing: { kid: string; key: CryptoKey };
  verifying: Map<string, CryptoKey>;
  /** The public halves, for `/.well-known/jwks.json`. */
  jwks: JWK[];
  /** For jose's `jwtVerify`: the key a token's `kid` names, or an error if none of ours. */
  resolve(header: JWTHeaderParameters): CryptoKey;
}

/** Imported key sets by secret value; 4: a deployment has two secrets, and a rotation adds one value each. */
const imported = new ExpiringMap<string, Promise<KeySet>>({ maxEntries: 4 });

/** The key set in a secret; a missing or malformed secret is a 503 (configuration, not input). */
export function keySetFrom(secret: string | undefined, name: string): Promise<KeySet> {
  if (!secret) throw new ProblemError(503, { code: "signing-not-configured", params: { name } });
  return imported.getOrInsertComputed(secret, () => importKeySet(secret, name));
}

async function importKeySet(secret: string, name: string): Promise<KeySet> {
  const parsed = JSON.parse(secret) as JWK | JWK[];
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new ProblemError(503, { code: "signing-no-key", params: { name } });
  const verifying = new Map<string, CryptoKey>();
  const jwks: JWK[] = [];
  let signing: KeySet["signing"] | undefined;
  for (const jwk of list) {
    if (!jwk.kid || !jwk.d) throw new ProblemError(503, { code: "signing-key-malformed", params: { name } });
    const { d: _private, ...pub } = jwk;
    const publicKey = (await importJWK(pub, ALG)) as CryptoKey;
    verifying.set(jwk.kid, publicKey);
    jwks.push({ ...(await exportJWK(publicKey)), kid: jwk.kid, alg: ALG, use: "sig" });
    signing ??= { kid: jwk.kid, key: (await importJWK(jwk, ALG)) as CryptoKey };
  }
  return {
    signing: signing as KeySet["signing"],
    verifying,
    jwks,
    resolve(header) {
      const key = header.kid ? verifying.get(header.kid) : undefined;
      if (!key) throw new errors.JWKSNoMatchingKey();
      return key;
    },
  };
}
