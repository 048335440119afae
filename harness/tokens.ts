import { importJWK, type JWK, SignJWT } from "jose";

/**
 * Access tokens for development and tests, signed with jose straight from an `AUTH_SIGNING_KEYS`
 * value, with the claims the API verifies (`workers/api/auth/tokens.ts`): header `alg` ES256,
 * `kid` of the signing key and `typ` "at+jwt"; `iss`, `aud` "equilibrium:api", `sub`, `iat`,
 * `exp`, `jti`; the principal in `roles`, `mkts` and (for a route-scoped key) `rts`. Nothing here
 * comes from the API's code: every integration test signs its tokens here and the API verifies
 * them, so the two cannot drift apart unnoticed.
 */

/** The issuer the local platform expects: wrangler.toml's `AUTH_ISSUER` (typed from it, so typecheck sees a change). */
export const LOCAL_ISSUER: Env["AUTH_ISSUER"] = "https://equilibrium.local";
const AUDIENCE = "equilibrium:api";
/** As long as the tokens the API issues itself. */
const DEFAULT_SECONDS = 15 * 60;

export interface TokenClaims {
  subject: string;
  /** Role names as the API spells them: rider, driver, operator, admin, service. */
  roles: readonly string[];
  /** Markets the principal may act on; "*" for all (the default). */
  markets?: readonly string[];
  /** Route ids a scoped service key may call; absent for any its roles allow. */
  routes?: readonly string[];
  /** The saved locale the token carries (`lcl`), as a sign-in puts a user's. */
  locale?: string;
  /** Lifetime; negative for a token that has already expired. */
  seconds?: number;
  /** `iss`; the local platform's by default. */
  issuer?: string;
}

/**
 * Signs an access token with the first key of an `AUTH_SIGNING_KEYS` value (one private JWK, or
 * a JSON array of them, as the Worker reads it).
 *
 * @example mintToken(keys, { subject: "dispatch", roles: ["service"], markets: ["nyc-manhattan"] })
 */
export async function mintToken(keys: string, claims: TokenClaims): Promise<string> {
  const parsed = JSON.parse(keys) as JWK | JWK[];
  const jwk = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!jwk?.kid || !jwk.d) throw new Error("AUTH_SIGNING_KEYS holds no private key with a kid");
  const payload: Record<string, unknown> = { roles: [...claims.roles], mkts: [...(claims.markets ?? ["*"])] };
  if (claims.routes) payload.rts = [...claims.routes];
  if (claims.locale) payload.lcl = claims.locale;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: "at+jwt" })
    .setSubject(claims.subject)
    .setIssuer(claims.issuer ?? LOCAL_ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${claims.seconds ?? DEFAULT_SECONDS}s`)
    .setJti(crypto.randomUUID())
    .sign(await importJWK(jwk, "ES256"));
}
