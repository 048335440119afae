import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  acceptTotpStep,
  findApiKey,
  findUser,
  findUserByEmail,
  insertRefreshToken,
  revokeRefreshFamily,
  rotateRefreshToken,
} from "../../../db/identity";
import { LocaleTagSchema } from "../../../shared/i18n/catalogue";
import { matchTotp } from "../../../shared/kit/totp";
import { type AppEnv, router, withDatabase } from "../app";
import { allowsMarket, isRole, type Principal } from "../auth/principal";
import { revoke } from "../auth/revocations";
import { randomSecret, sha256, timingSafeEqual, verifyPassword } from "../auth/secrets";
import { verifyCloudflareAccess, verifyOidcIdToken } from "../auth/sso";
import { ACCESS_TOKEN_SECONDS, authJwks, mintAccessToken, type TokenOrigin, verifyAccessToken } from "../auth/tokens";
import { signInThrottle } from "../limits";
import { ProblemError, type ProblemText, problemDoc } from "../problem";
import { publicJwks } from "../quote-signing";

/**
 * `POST /v1/auth/token` (OAuth 2.0 style grants, JSON body):
 *  - `api_key`: a partner back end exchanges its key for a short access token;
 *  - `password`: an operator or admin signs in with email, password and a TOTP code (each code
 *    once; five failures per account in 15 minutes and the account waits);
 *  - `refresh_token`: a signed-in person gets a new access token (the refresh token rotates; a
 *    rotated one presented again revokes the whole sign-in, its access tokens included);
 *  - `id_token`: an ID token from the configured OpenID Connect provider;
 *  - `cloudflare_access`: the `Cf-Access-Jwt-Assertion` header of a request through Access;
 *  - `delegate`: a service mints rider or driver tokens for its own app users, within its markets
 *    and its route scope; revoking the service revokes them.
 */

const REFRESH_DAYS = 30;
const MFA_ROLES = new Set(["operator", "admin"]);

const TokenRequest = z.discriminatedUnion("grant_type", [
  z.object({ grant_type: z.literal("api_key"), api_key: z.string().min(10).max(200) }),
  z.object({
    grant_type: z.literal("password"),
    email: z.string().email().max(254),
    password: z.string().min(1).max(200),
    totp: z
      .string()
      .regex(/^\d{6}$/, "six digits from the authenticator app")
      .optional(),
  }),
  z.object({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(10).max(300) }),
  z.object({ grant_type: z.literal("id_token"), id_token: z.string().min(10).max(8192) }),
  z.object({ grant_type: z.literal("cloudflare_access") }),
  z.object({
    grant_type: z.literal("delegate"),
    subject: z.string().min(1).max(128),
    role: z.enum(["rider", "driver"]),
    markets: z.array(z.string().max(40)).min(1).max(50).optional(),
    locale: LocaleTagSchema.optional().describe("the rider's or driver's own locale, as the partner keeps it"),
  }),
]);

const RevokeRequest = z
  .object({ refresh_token: z.string().min(10).max(300).optional(), access_token: z.string().min(10).max(4096).optional() })
  .refine((b) => b.refresh_token !== undefined || b.access_token !== undefined, "refresh_token or access_token");

const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int(),
  refresh_token: z.string().optional(),
});

export const auth = router();

type Grantee = Pick<Principal, "subject" | "roles" | "markets" | "routes" | "locale">;

/** A new refresh token: its row (the secret hashed) and what the client keeps. */
async function newRefreshToken() {
  const id = `rt_${crypto.randomUUID().replaceAll("-", "")}`;
  const secret = randomSecret();
  return {
    row: { id, secretHash: await sha256(secret), expiresAt: new Date(Date.now() + REFRESH_DAYS * 86_400_000) },
    token: `${id}.${secret}`,
  };
}

/** A sign-in: an access token and the first refresh token of a new family (the session). */
async function signIn(c: Context<AppEnv>, p: Grantee) {
  const refresh = await newRefreshToken();
  await withDatabase(c, (db) => insertRefreshToken(db, { ...refresh.row, userId: p.subject }));
  return issue(c, p, { session: refresh.row.id }, refresh.token);
}

/** Revocations of a session or subject cover every access token issued until now: they live no longer. */
const coveringAccessTokens = () => Date.now() + ACCESS_TOKEN_SECONDS * 1000;

async function issue(c: Context<AppEnv>, p: Grantee, origin: TokenOrigin, refresh_token?: string) {
  const access_token = await mintAccessToken(c.env, p, ACCESS_TOKEN_SECONDS, origin);
  return c.json(
    {
      access_token,
      token_type: "Bearer" as const,
      expires_in: ACCESS_TOKEN_SECONDS,
      ...(refresh_token ? { refresh_token } : {}),
    },
    200,
  );
}

const refused = (text: ProblemText) => new ProblemError(401, text, { error: "invalid_grant" });

auth.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/token",
    summary: "Exchange credentials for an access token",
    description:
      "Grants: api_key, password (+ totp for operators and admins), refresh_token, id_token (OpenID Connect), cloudflare_access (Cf-Access-Jwt-Assertion header), delegate (a service token minting rider/driver tokens).",
    tags: ["auth"],
    request: { body: { required: true, content: { "application/json": { schema: TokenRequest } } } },
    responses: {
      200: { description: "Tokens", content: { "application/json": { schema: TokenResponse } } },
      401: problemDoc,
      403: problemDoc,
      422: problemDoc,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    switch (body.grant_type) {
      case "api_key": {
        const [, id, secret] = /^eqk_([a-z0-9]+)_(.+)$/.exec(body.api_key) ?? [];
        if (!id || !secret) throw refused({ code: "api-key-malformed" });
        const key = await withDatabase(c, (db) => findApiKey(db, `key_${id}`));
        if (!key || !timingSafeEqual(key.secretHash, await sha256(secret))) throw refused({ code: "api-key-refused" });
        return issue(
          c,
          { subject: key.id, roles: key.roles.filter(isRole), markets: key.markets, routes: key.routes ?? undefined },
          {},
        );
      }
      case "password": {
        const email = body.email.toLowerCase();
        await signInThrottle.check(c.env, email);
        const failed = async (text: ProblemText) => {
          await signInThrottle.failed(c.env, email);
          return refused(text);
        };
        const user = await withDatabase(c, (db) => findUserByEmail(db, email));
        // The same answer for an unknown email and a wrong password: no account probing.
        if (!user?.passwordHash || !(await verifyPassword(body.password, user.passwordHash)))
          throw await failed({ code: "wrong-password" });
        if (user.roles.some((r) => MFA_ROLES.has(r))) {
          if (!user.totpSecret) throw refused({ code: "mfa-not-enrolled" });
          if (!body.totp) throw new ProblemError(401, { code: "mfa-required" }, { error: "mfa_required" });
          const step = await matchTotp(user.totpSecret, body.totp, Date.now());
          if (step === undefined) throw await failed({ code: "mfa-wrong" });
          // Each code once: a step no later than the last accepted one is a replay (atomic, so two racing uses cannot both win).
          if (!(await withDatabase(c, (db) => acceptTotpStep(db, user.id, step)))) throw await failed({ code: "mfa-replayed" });
        }
        return signIn(c, {
          subject: user.id,
          roles: user.roles.filter(isRole),
          markets: user.markets,
          routes: undefined,
          locale: user.locale ?? undefined,
        });
      }
      case "refresh_token": {
        const [id, secret] = body.refresh_token.split(".");
        if (!id || !secret) throw refused({ code: "refresh-malformed" });
        const hash = await sha256(secret);
        const next = await newRefreshToken();
        const { rotation, user } = await withDatabase(c, async (db) => {
          const rotation = await rotateRefreshToken(db, id, hash, next.row);
          return { rotation, user: rotation.outcome === "rotated" ? await findUser(db, rotation.userId) : undefined };
        });
        if (rotation.outcome === "reused") {
          await revoke(c.env, { kind: "session", id: rotation.family, until: coveringAccessTokens() });
          throw refused({ code: "refresh-reused" });
        }
        if (rotation.outcome !== "rotated" || !user) throw refused({ code: "refresh-refused" });
        return issue(
          c,
          {
            subject: user.id,
            roles: user.roles.filter(isRole),
            markets: user.markets,
            routes: undefined,
            locale: user.locale ?? undefined,
          },
          { session: rotation.family },
          next.token,
        );
      }
      case "id_token": {
        const p = await verifyOidcIdToken(c.env, body.id_token);
        return signIn(c, p);
      }
      case "cloudflare_access": {
        const assertion = c.req.header("cf-access-jwt-assertion");
        if (!assertion) throw refused({ code: "access-assertion-missing" });
        const p = await verifyCloudflareAccess(c.env, assertion);
        return issue(c, p, {});
      }
      case "delegate": {
        const caller = c.get("principal");
        if (!caller?.roles.includes("service")) throw new ProblemError(403, { code: "delegate-not-service" });
        const markets = body.markets ?? caller.markets;
        const outside = markets.find((m) => !allowsMarket(caller, m));
        if (outside) throw new ProblemError(403, { code: "delegate-market", params: { market: outside } });
        // Within the delegator's own scope: a route-scoped key mints tokens scoped to (at most) the same routes.
        return issue(
          c,
          {
            subject: `${caller.subject}/${body.subject}`,
            roles: [body.role],
            markets,
            routes: caller.routes,
            locale: body.locale,
          },
          { delegator: caller.subject },
        );
      }
    }
  },
);

auth.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/revoke",
    summary: "Sign out: revoke a refresh token (its whole sign-in) or an access token",
    description:
      "With `refresh_token`: every refresh and access token of that sign-in stops working, open sockets included. With `access_token`: that token. Unknown tokens are answered the same (RFC 7009).",
    tags: ["auth"],
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: RevokeRequest } },
      },
    },
    responses: {
      200: {
        description: "Revoked (or already not usable)",
        content: { "application/json": { schema: z.object({ revoked: z.literal(true) }) } },
      },
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const [id, secret] = body.refresh_token?.split(".") ?? [];
    if (id && secret) {
      const hash = await sha256(secret);
      const session = await withDatabase(c, (db) => revokeRefreshFamily(db, id, hash));
      if (session) await revoke(c.env, { kind: "session", id: session.family, until: coveringAccessTokens() });
    }
    if (body.access_token) {
      const token = await verifyAccessToken(c.env, body.access_token).catch(() => undefined);
      const credential = token?.credential;
      if (credential) await revoke(c.env, { kind: "token", id: credential.id, until: credential.expiresAt });
    }
    return c.json({ revoked: true as const }, 200);
  },
);

/** Every public key of this platform: access tokens' (all keys in rotation) and quotes'. */
auth.get("/.well-known/jwks.json", async (c) =>
  c.json({ keys: [...(await authJwks(c.env)), ...(await publicJwks(c.env)).keys] }, 200, {
    "cache-control": "public, max-age=300",
  }),
);
