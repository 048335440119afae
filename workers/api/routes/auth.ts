import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  findApiKey,
  findUser,
  findUserByEmail,
  insertRefreshToken,
  revokeRefreshToken,
  spendRefreshToken,
} from "../../../db/identity";
import { verifyTotp } from "../../../shared/totp";
import { type AppEnv, router, withDatabase } from "../app";
import { allowsMarket, isRole, type Principal } from "../auth/principal";
import { randomSecret, sha256, timingSafeEqual, verifyPassword } from "../auth/secrets";
import { verifyCloudflareAccess, verifyOidcIdToken } from "../auth/sso";
import { ACCESS_TOKEN_SECONDS, authJwks, mintAccessToken } from "../auth/tokens";
import { ProblemError, problemDoc } from "../problem";
import { publicJwks } from "../quote-signing";

/**
 * `POST /v1/auth/token` (OAuth 2.0 style grants, JSON body):
 *  - `api_key`: a partner back end exchanges its key for a short access token;
 *  - `password`: an operator or admin signs in with email, password and a TOTP code;
 *  - `refresh_token`: a signed-in person gets a new access token (the refresh token rotates);
 *  - `id_token`: an ID token from the configured OpenID Connect provider;
 *  - `cloudflare_access`: the `Cf-Access-Jwt-Assertion` header of a request through Access;
 *  - `delegate`: a service mints rider or driver tokens for its own app users, within its markets.
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
  }),
]);

const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int(),
  refresh_token: z.string().optional(),
});

export const auth = router();

async function issue(c: Context<AppEnv>, p: Omit<Principal, "via">, withRefresh: boolean) {
  const access_token = await mintAccessToken(c.env, p);
  let refresh_token: string | undefined;
  if (withRefresh) {
    const id = `rt_${crypto.randomUUID().replaceAll("-", "")}`;
    const secret = randomSecret();
    const expiresAt = new Date(Date.now() + REFRESH_DAYS * 86_400_000);
    await withDatabase(c, async (db) =>
      insertRefreshToken(db, { id, secretHash: await sha256(secret), userId: p.subject, expiresAt }),
    );
    refresh_token = `${id}.${secret}`;
  }
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

const refused = (detail: string) => new ProblemError(401, detail, { error: "invalid_grant" });

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
        if (!id || !secret) throw refused("That is not an API key of this platform.");
        const key = await withDatabase(c, (db) => findApiKey(db, `key_${id}`));
        if (!key || !timingSafeEqual(key.secretHash, await sha256(secret))) throw refused("Unknown or revoked API key.");
        return issue(
          c,
          { subject: key.id, roles: key.roles.filter(isRole), markets: key.markets, routes: key.routes ?? undefined },
          false,
        );
      }
      case "password": {
        const user = await withDatabase(c, (db) => findUserByEmail(db, body.email));
        // The same answer for an unknown email and a wrong password: no account probing.
        if (!user?.passwordHash || !(await verifyPassword(body.password, user.passwordHash)))
          throw refused("Wrong email or password.");
        if (user.roles.some((r) => MFA_ROLES.has(r))) {
          if (!user.totpSecret) throw refused("This account has no second factor enrolled; an admin must re-create it.");
          if (!body.totp) throw new ProblemError(401, "A TOTP code is required for this account.", { error: "mfa_required" });
          if (!(await verifyTotp(user.totpSecret, body.totp, Date.now()))) throw refused("Wrong TOTP code.");
        }
        return issue(c, { subject: user.id, roles: user.roles.filter(isRole), markets: user.markets, routes: undefined }, true);
      }
      case "refresh_token": {
        const [id, secret] = body.refresh_token.split(".");
        if (!id || !secret) throw refused("Malformed refresh token.");
        const hash = await sha256(secret);
        const user = await withDatabase(c, async (db) => {
          const userId = await spendRefreshToken(db, id, hash);
          return userId ? findUser(db, userId) : undefined;
        });
        if (!user) throw refused("The refresh token is unknown, used, revoked or expired.");
        return issue(c, { subject: user.id, roles: user.roles.filter(isRole), markets: user.markets, routes: undefined }, true);
      }
      case "id_token": {
        const p = await verifyOidcIdToken(c.env, body.id_token);
        return issue(c, p, true);
      }
      case "cloudflare_access": {
        const assertion = c.req.header("cf-access-jwt-assertion");
        if (!assertion) throw refused("No Cf-Access-Jwt-Assertion header on this request.");
        const p = await verifyCloudflareAccess(c.env, assertion);
        return issue(c, p, false);
      }
      case "delegate": {
        const caller = c.get("principal");
        if (!caller?.roles.includes("service")) throw new ProblemError(403, "Only a service token may delegate.");
        const markets = body.markets ?? caller.markets;
        const outside = markets.find((m) => !allowsMarket(caller, m));
        if (outside) throw new ProblemError(403, `This service may not act on market "${outside}".`);
        return issue(c, { subject: `${caller.subject}/${body.subject}`, roles: [body.role], markets, routes: undefined }, false);
      }
    }
  },
);

auth.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/revoke",
    summary: "Revoke a refresh token (sign out)",
    tags: ["auth"],
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: z.object({ refresh_token: z.string().min(10).max(300) }) } },
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
    const [id, secret] = c.req.valid("json").refresh_token.split(".");
    if (id && secret) {
      const hash = await sha256(secret);
      await withDatabase(c, (db) => revokeRefreshToken(db, id, hash));
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
