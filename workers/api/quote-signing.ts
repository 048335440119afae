import { errors, type JWK, jwtVerify } from "jose";
import { b64url } from "../../shared/kit/base64url";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import type { QuoteClaims } from "../../shared/pricing/quote";
import { ProblemError } from "./problem";
import { ALG, keySetFrom } from "./signing-keys";

/**
 * Quotes are compact JWS tokens signed with ES256. The private key is a Worker secret
 * (`QUOTE_SIGNING_KEY`, a private JWK with a `kid`, or a list of them to rotate); locally `scripts/dev-keys.ts` generates
 * one into `.dev.vars`. Anyone can verify a quote with the public key at
 * `/.well-known/jwks.json`; only this platform can make one.
 */

export const QUOTE_AUDIENCE = "equilibrium:quote";

export type { QuoteClaims } from "../../shared/pricing/quote";

const keys = (env: Env) => keySetFrom(env.QUOTE_SIGNING_KEY, "QUOTE_SIGNING_KEY");

/**
 * Signs a quote as a compact JWS (ES256): one WebCrypto signature over `header.payload`, the
 * header's segment made once per key. Equivalent to jose's `SignJWT` (which verifies it, and the
 * tests check that), without its builder's copies and checks on the hottest route.
 */
export async function signQuote(env: Env, id: string, claims: QuoteClaims, issuedAt: number, expiresAt: number): Promise<string> {
  const k = await keys(env);
  const payload = {
    ...claims,
    jti: id,
    iss: env.QUOTE_ISSUER,
    aud: QUOTE_AUDIENCE,
    iat: Math.floor(issuedAt / 1000),
    exp: Math.floor(expiresAt / 1000),
  };
  const input = `${headerSegment(k.signing.kid)}.${b64url(encoder.encode(JSON.stringify(payload)))}`;
  // WebCrypto's ECDSA signature is r ‖ s, 64 bytes: the form JWS asks for (RFC 7518 §3.4).
  const signature = await crypto.subtle.sign(ES256, k.signing.key, encoder.encode(input));
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

const ES256 = { name: "ECDSA", hash: "SHA-256" } as const;
const encoder = new TextEncoder();

/** The protected header's segment by key id: a deployment has one or two keys. */
const headers = new ExpiringMap<string, string>({ maxEntries: 4 });
function headerSegment(kid: string): string {
  return headers.getOrInsertComputed(kid, () => b64url(encoder.encode(JSON.stringify({ alg: ALG, kid, typ: "quote+jwt" }))));
}

export type VerifyFailure = "malformed" | "signature" | "expired" | "foreign";

/** Verifies a quote token; a token that does not verify is a 422 that says why. */
export async function verifyQuote(env: Env, token: string): Promise<QuoteClaims & { jti: string; exp: number; iat: number }> {
  const k = await keys(env);
  try {
    const { payload } = await jwtVerify(token, (header) => k.resolve(header), {
      algorithms: [ALG],
      issuer: env.QUOTE_ISSUER,
      audience: QUOTE_AUDIENCE,
      typ: "quote+jwt",
    });
    return payload as unknown as QuoteClaims & { jti: string; exp: number; iat: number };
  } catch (err) {
    const [reason, claim] = classify(err);
    throw new ProblemError(422, { code: "quote-invalid", params: { reason, claim } }, { valid: false, reason });
  }
}

export async function publicJwks(env: Env): Promise<{ keys: JWK[] }> {
  return { keys: (await keys(env)).jwks };
}

/** Why a token failed, and for a foreign one the claim that gave it away. */
function classify(err: unknown): [VerifyFailure, string] {
  if (err instanceof errors.JWTExpired) return ["expired", ""];
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) return ["signature", ""];
  if (err instanceof errors.JWTClaimValidationFailed) return ["foreign", `${err.claim}: ${err.reason}`];
  if (err instanceof errors.JOSEAlgNotAllowed) return ["foreign", "alg"];
  return ["malformed", ""];
}
