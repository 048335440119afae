import { type CryptoKey, errors, exportJWK, importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import { ProblemError } from "./problem";

/**
 * Quotes are compact JWS tokens signed with ES256. The private key is a Worker secret
 * (`QUOTE_SIGNING_KEY`, a private JWK with a `kid`); locally `scripts/dev-keys.ts` generates
 * one into `.dev.vars`. Anyone can verify a quote with the public key at
 * `/.well-known/jwks.json`; only this platform can make one.
 */

export const QUOTE_AUDIENCE = "equilibrium:quote";
const ALG = "ES256";

export interface QuoteClaims {
  /** market */ mkt: string;
  /** product */ prd: string;
  /** currency */ cur: string;
  /** shown multiplier in tenths */ mul: number;
  /** total in minor units */ tot: number;
  /** pickup cell */ cel: string;
  /** distance in metres, duration in seconds */ dst: number;
  dur: number;
}

interface Keys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

let loaded: { secret: string; keys: Promise<Keys> } | undefined;

function keys(env: Env): Promise<Keys> {
  const secret = env.QUOTE_SIGNING_KEY;
  if (!secret) throw new ProblemError(503, "Quote signing is not configured (QUOTE_SIGNING_KEY is missing).");
  if (loaded?.secret !== secret) loaded = { secret, keys: importKeys(secret) };
  return loaded.keys;
}

async function importKeys(secret: string): Promise<Keys> {
  const jwk = JSON.parse(secret) as JWK;
  if (!jwk.kid || !jwk.d) throw new ProblemError(503, "QUOTE_SIGNING_KEY is not a private JWK with a kid.");
  const { d: _private, ...publicJwk } = jwk;
  const privateKey = (await importJWK(jwk, ALG)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, ALG)) as CryptoKey;
  return {
    kid: jwk.kid,
    privateKey,
    publicKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid: jwk.kid, alg: ALG, use: "sig" },
  };
}

export async function signQuote(env: Env, id: string, claims: QuoteClaims, issuedAt: number, expiresAt: number): Promise<string> {
  const k = await keys(env);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: ALG, kid: k.kid, typ: "quote+jwt" })
    .setJti(id)
    .setIssuer(env.QUOTE_ISSUER)
    .setAudience(QUOTE_AUDIENCE)
    .setIssuedAt(Math.floor(issuedAt / 1000))
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .sign(k.privateKey);
}

export type VerifyFailure = "malformed" | "signature" | "expired" | "foreign";

/** Verifies a quote token; a token that does not verify is a 422 that says why. */
export async function verifyQuote(env: Env, token: string): Promise<QuoteClaims & { jti: string; exp: number; iat: number }> {
  const k = await keys(env);
  try {
    const { payload } = await jwtVerify(token, k.publicKey, {
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
  return { keys: [(await keys(env)).publicJwk] };
}

function classify(err: unknown): [VerifyFailure, string] {
  if (err instanceof errors.JWTExpired) return ["expired", "it has expired"];
  if (err instanceof errors.JWSSignatureVerificationFailed) return ["signature", "its signature does not match its contents"];
  if (err instanceof errors.JWTClaimValidationFailed) return ["foreign", `claim "${err.claim}" is not ours (${err.reason})`];
  if (err instanceof errors.JOSEAlgNotAllowed) return ["foreign", "it is not signed with this platform's algorithm"];
  return ["malformed", "it is not a quote token"];
}
