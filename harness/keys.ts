import { exportJWK, generateKeyPair, type JWK } from "jose";

/**
 * Fresh ES256 signing keys, in the shapes the Workers' secrets take: `QUOTE_SIGNING_KEY` holds
 * one private JWK, `AUTH_SIGNING_KEYS` a JSON array of them (the first signs, all verify). For
 * development (`.dev.vars`) and tests; production keys are made the same way and put with
 * `wrangler secret put`.
 */

/** A private JWK whose `kid` tells what it signs and when it was made. */
export async function newSigningJwk(purpose: "quote" | "auth"): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `${purpose}-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`, alg: "ES256" };
}

/** A value for `QUOTE_SIGNING_KEY`. */
export async function newQuoteSigningKey(): Promise<string> {
  return JSON.stringify(await newSigningJwk("quote"));
}

/** A value for `AUTH_SIGNING_KEYS`: a key set of one. */
export async function newAuthSigningKeys(): Promise<string> {
  return JSON.stringify([await newSigningJwk("auth")]);
}
