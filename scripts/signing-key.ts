import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { Role } from "../workers/api/auth/principal";
import { mintAccessToken } from "../workers/api/auth/tokens";

/** A fresh ES256 private JWK, as `QUOTE_SIGNING_KEY` and each `AUTH_SIGNING_KEYS` entry expect it. */
export async function newSigningJwk(purpose: "quote" | "auth"): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `${purpose}-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`, alg: "ES256" };
}

export async function newQuoteSigningKey(): Promise<string> {
  return JSON.stringify(await newSigningJwk("quote"));
}

/** A key set for access tokens: the first key signs, all verify. */
export async function newAuthSigningKeys(): Promise<string> {
  return JSON.stringify([await newSigningJwk("auth")]);
}

export interface TokenClaims {
  subject: string;
  roles: Role[];
  markets?: string[];
  routes?: string[];
  seconds?: number;
}

/** Mints an access token with the first key of an AUTH_SIGNING_KEYS value, exactly as the API does (development and tests). */
export function mintToken(keys: string, issuer: string, claims: TokenClaims): Promise<string> {
  const env = { AUTH_SIGNING_KEYS: keys, AUTH_ISSUER: issuer } as unknown as Env;
  return mintAccessToken(
    env,
    { subject: claims.subject, roles: claims.roles, markets: claims.markets ?? ["*"], routes: claims.routes },
    claims.seconds,
  );
}
