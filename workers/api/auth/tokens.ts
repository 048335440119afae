import { errors, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { ExpiringMap } from "../../../shared/kit/expiring-map";
import type { TokenIdentity } from "../../../shared/platform/revocation";
import { ProblemError } from "../problem";
import { ALG, type KeySet, keySetFrom } from "../signing-keys";
import { isRole, type Principal, type Role } from "./principal";

/**
 * Access tokens: ES256 JWTs with `kid`, issuer, audience and a short expiry, signed with the
 * key set in `AUTH_SIGNING_KEYS` (rotation: see `signing-keys.ts`).
 */

export const API_AUDIENCE = "equilibrium:api";
export const ACCESS_TOKEN_SECONDS = 15 * 60;

const keySet = (env: Env) => keySetFrom(env.AUTH_SIGNING_KEYS, "AUTH_SIGNING_KEYS");

/** Public keys for `/.well-known/jwks.json`. */
export async function authJwks(env: Env): Promise<JWK[]> {
  return (await keySet(env)).jwks;
}

/** Where a token comes from, beyond its subject: what revocation can name. */
export interface TokenOrigin {
  /** The refresh-token family (sign-in session) it was issued from: `sid`. */
  session?: string;
  /** The service that minted it for its user (`delegate` grant): `act.sub` (RFC 8693). */
  delegator?: string;
}

/** Signs an access token for a principal. */
export async function mintAccessToken(
  env: Env,
  p: Pick<Principal, "subject" | "roles" | "markets" | "routes" | "locale">,
  seconds = ACCESS_TOKEN_SECONDS,
  origin: TokenOrigin = {},
): Promise<string> {
  const k = await keySet(env);
  const claims: JWTPayload = { roles: p.roles, mkts: p.markets };
  if (p.routes) claims.rts = p.routes;
  if (p.locale) claims.lcl = p.locale;
  if (origin.session) claims.sid = origin.session;
  if (origin.delegator) claims.act = { sub: origin.delegator };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALG, kid: k.signing.kid, typ: "at+jwt" })
    .setSubject(p.subject)
    .setIssuer(env.AUTH_ISSUER)
    .setAudience(API_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${seconds}s`)
    .setJti(crypto.randomUUID())
    .sign(k.signing.key);
}

/**
 * Tokens this isolate has verified, each until it expires: a client sends the same token with
 * every request, and a signature check per request is most of what authentication costs. The
 * key set is part of the entry, so a rotation that drops a key also drops what it verified.
 * 10,000: more callers than one isolate serves at once; each entry lives as long as its token.
 */
const verified = new ExpiringMap<string, { principal: Principal; keys: KeySet }>({ maxEntries: 10_000 });

/** Verifies an access token; any failure is a 401 that says why, without echoing the token. */
export async function verifyAccessToken(env: Env, token: string): Promise<Principal> {
  const k = await keySet(env);
  const hit = verified.get(token);
  if (hit && hit.keys === k) return hit.principal;
  return verifySignature(env, k, token);
}

async function verifySignature(env: Env, k: KeySet, token: string): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, (header) => k.resolve(header), {
      algorithms: [ALG],
      issuer: env.AUTH_ISSUER,
      audience: API_AUDIENCE,
      typ: "at+jwt",
      // Every token of ours names itself (jti) and its age (iat): revocation needs both.
      requiredClaims: ["exp", "sub", "iat", "jti"],
    });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    const markets = Array.isArray(payload.mkts) ? payload.mkts.filter((m): m is string => typeof m === "string") : [];
    const routes = Array.isArray(payload.rts) ? payload.rts.filter((r): r is string => typeof r === "string") : undefined;
    const actor = (payload.act as { sub?: unknown } | undefined)?.sub;
    const credential: TokenIdentity = {
      subject: String(payload.sub),
      id: String(payload.jti),
      issuedAt: (payload.iat as number) * 1000,
      expiresAt: (payload.exp as number) * 1000,
      ...(typeof payload.sid === "string" ? { session: payload.sid } : {}),
      ...(typeof actor === "string" ? { delegator: actor } : {}),
    };
    const principal: Principal = { subject: String(payload.sub), roles, markets, routes, via: "token", credential };
    if (typeof payload.lcl === "string") principal.locale = payload.lcl;
    verified.set(token, { principal, keys: k }, (payload.exp as number) * 1000 - Date.now());
    return principal;
  } catch (err) {
    throw new ProblemError(
      401,
      { code: "token-invalid", params: { reason: describe(err) } },
      {},
      { "www-authenticate": 'Bearer error="invalid_token"' },
    );
  }
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "it has expired";
  if (err instanceof errors.JWTClaimValidationFailed)
    return `claim "${err.claim}" ${err.reason === "check_failed" ? "is wrong" : err.reason}`;
  if (err instanceof errors.JOSEAlgNotAllowed) return "its algorithm is not accepted";
  if (err instanceof errors.JWKSNoMatchingKey) return "it names no key of ours";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "its signature does not match";
  return "it is malformed";
}

export type { Role };
