import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { openPool } from "../../../db/client";
import { findUserByEmail } from "../../../db/identity";
import { ExpiringMap } from "../../../shared/kit/expiring-map";
import { ProblemError } from "../problem";
import { isRole, type Principal } from "./principal";

/**
 * Operators' single sign-on. Two sources are trusted, each verified against its issuer's JWKS:
 *  - an OpenID Connect provider's ID tokens (OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL), exchanged
 *    at /v1/auth/token for our own tokens;
 *  - Cloudflare Access assertions (`Cf-Access-Jwt-Assertion`; CF_ACCESS_ISSUER, CF_ACCESS_AUD,
 *    CF_ACCESS_JWKS_URL), accepted on any request when Access fronts the console.
 * Either way the person must be a provisioned user (by email): the provider proves who, our
 * users table says what they may do.
 */

/** Each issuer's key set (jose refetches it itself when stale); 4: two issuers are configured, a rotation of their URLs at most doubles that. */
const jwksByUrl = new ExpiringMap<string, ReturnType<typeof createRemoteJWKSet>>({ maxEntries: 4 });
function remoteJwks(url: string) {
  return jwksByUrl.getOrInsertComputed(url, () =>
    createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }),
  );
}

async function verifyExternal(
  token: string,
  issuer: string | undefined,
  audience: string | undefined,
  jwksUrl: string | undefined,
  what: string,
) {
  if (!issuer || !audience || !jwksUrl) throw new ProblemError(401, { code: "sso-not-configured", params: { provider: what } });
  try {
    const { payload } = await jwtVerify(token, remoteJwks(jwksUrl), {
      issuer,
      audience,
      algorithms: ["RS256", "ES256", "EdDSA"],
    });
    return payload;
  } catch {
    throw new ProblemError(401, { code: "sso-assertion-invalid", params: { provider: what } });
  }
}

/**
 * Verified emails' principals (null: not a user), since Access asserts on every request. 1,000
 * operators per isolate at most; a minute, so a user's changed roles or removal bind soon.
 */
const users = new ExpiringMap<string, { principal: Principal | null }>({ maxEntries: 1_000, ttlMs: 60_000 });
async function principalFor(env: Env, payload: JWTPayload, via: Principal["via"]): Promise<Principal> {
  const email = typeof payload.email === "string" ? payload.email.toLowerCase() : undefined;
  if (!email || payload.email_verified === false) throw new ProblemError(401, { code: "sso-email-unverified" });
  let principal = users.get(email)?.principal;
  if (principal === undefined) {
    const { pool, db } = openPool(env);
    try {
      const user = await findUserByEmail(db, email);
      principal = user
        ? {
            subject: user.id,
            roles: user.roles.filter(isRole),
            markets: user.markets,
            routes: undefined,
            via,
            ...(user.locale ? { locale: user.locale } : {}),
          }
        : null;
    } finally {
      await pool.end().catch(() => undefined);
    }
    users.set(email, { principal });
  }
  if (!principal) throw new ProblemError(403, { code: "sso-unknown-user", params: { email } });
  // The assertion is the credential: a socket it opens closes when it expires; disabling the user revokes it.
  const exp = typeof payload.exp === "number" ? payload.exp * 1000 : Date.now() + 5 * 60_000;
  const credential = {
    subject: principal.subject,
    id: typeof payload.jti === "string" ? payload.jti : `${via}:${payload.iat ?? ""}:${email}`,
    issuedAt: typeof payload.iat === "number" ? payload.iat * 1000 : Date.now(),
    expiresAt: exp,
  };
  return { ...principal, via, credential };
}

export async function verifyCloudflareAccess(env: Env, assertion: string): Promise<Principal> {
  const payload = await verifyExternal(
    assertion,
    env.CF_ACCESS_ISSUER,
    env.CF_ACCESS_AUD,
    env.CF_ACCESS_JWKS_URL,
    "Cloudflare Access",
  );
  return principalFor(env, payload, "cloudflare-access");
}

export async function verifyOidcIdToken(env: Env, idToken: string): Promise<Principal> {
  const payload = await verifyExternal(idToken, env.OIDC_ISSUER, env.OIDC_AUDIENCE, env.OIDC_JWKS_URL, "OpenID Connect");
  return principalFor(env, payload, "token");
}
