import { exportJWK, generateKeyPair } from "jose";

/** A fresh ES256 private JWK for signing quotes, as the `QUOTE_SIGNING_KEY` secret expects it. */
export async function newQuoteSigningKey(): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({
    ...jwk,
    kid: `quote-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`,
    alg: "ES256",
  });
}
