import { errors, type JWK, jwtVerify, SignJWT } from "jose";
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

export async function signQuote(env: Env, id: string, claims: QuoteClaims, issuedAt: number, expiresAt: number): Promise<string> {
  const k = await keys(env);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: ALG, kid: k.signing.kid, typ: "quote+jwt" })
    .setJti(id)
    .setIssuer(env.QUOTE_ISSUER)
    .setAudience(QUOTE_AUDIENCE)
    .setIssuedAt(Math.floor(issuedAt / 1000))
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .sign(k.signing.key);
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
