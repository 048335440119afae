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
    const [reason, detail] = classify(err);
    throw new ProblemError(422, `The quote is not valid: ${detail}`, { valid: false, reason });
  }
}

export async function publicJwks(env: Env): Promise<{ keys: JWK[] }> {
  return { keys: (await keys(env)).jwks };
}

function classify(err: unknown): [VerifyFailure, string] {
  if (err instanceof errors.JWTExpired) return ["expired", "it has expired"];
  if (err instanceof errors.JWSSignatureVerificationFailed) return ["signature", "its signature does not match its contents"];
  if (err instanceof errors.JWKSNoMatchingKey) return ["signature", "it is not signed with a key of this platform"];
  if (err instanceof errors.JWTClaimValidationFailed) return ["foreign", `claim "${err.claim}" is not ours (${err.reason})`];
  if (err instanceof errors.JOSEAlgNotAllowed) return ["foreign", "it is not signed with this platform's algorithm"];
  return ["malformed", "it is not a quote token"];
}
