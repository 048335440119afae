import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { cellAt, demandEvents, demoMarket, putMarket } from "../harness/fixtures";
import { newAuthSigningKeys } from "../harness/keys";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { LOCAL_ISSUER, mintToken } from "../harness/tokens";
import { psql } from "../scripts/postgres";
import { base32Decode, totpAt } from "../shared/kit/totp";

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** A stand-in identity provider: its own key pair and a JWKS endpoint on this machine. */
async function identityProvider() {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "idp-1", alg: "RS256", use: "sig" };
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ keys: [jwk] }) });
  const issuer = `http://127.0.0.1:${server.port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/certs`,
    sign: (claims: Record<string, unknown>, audience: string, opts: { expired?: boolean } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "idp-1" })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(opts.expired ? Math.floor(Date.now() / 1000) - 60 : "5m")
        .sign(privateKey),
    stop: () => server.stop(true),
  };
}

let p: Platform;
/** Keys and people are the admin's to manage. */
let admin: Client;
let idp: Awaited<ReturnType<typeof identityProvider>>;
let oldKeys: string;
let keys: string;

beforeAll(async () => {
  idp = await identityProvider();
  // Rotation: a new key first (it signs), the previous one after it (it still verifies).
  oldKeys = await newAuthSigningKeys();
  const fresh = JSON.parse(await newAuthSigningKeys()) as JWK[];
  keys = JSON.stringify([...fresh, ...(JSON.parse(oldKeys) as JWK[])]);
  p = await startPlatform({
    authKeys: keys,
    bindings: {
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: "equilibrium-console",
      OIDC_JWKS_URL: idp.jwksUrl,
      CF_ACCESS_ISSUER: idp.issuer,
      CF_ACCESS_AUD: "access-aud-tag",
      CF_ACCESS_JWKS_URL: idp.jwksUrl,
    },
  });
  admin = p.as("admin");
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
});
afterAll(async () => {
  await p.dispose();
  idp.stop();
});

const status = async (token: string) => (await p.as(token).fetch("/v1/markets")).status;

describe("access tokens", () => {
  test("a token of the current key works; so does one of the previous key, until it expires", async () => {
    expect(await status(await p.token({ roles: ["rider"] }))).toBe(200);
    expect(await status(await mintToken(oldKeys, { subject: "old", roles: ["rider"] }))).toBe(200);
    const jwks = (await (await p.as(null).fetch("/.well-known/jwks.json")).json()) as { keys: JWK[] };
    expect(jwks.keys.filter((k) => k.kid?.startsWith("auth-"))).toHaveLength(2);
  });

  test("forged, altered, expired and foreign tokens are refused with 401", async () => {
    const good = await p.token({ roles: ["operator"], markets: ["nyc"] });
    const [header, payload, signature] = good.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const publicJwk = (JSON.parse(keys) as JWK[])[0] as JWK;
    const { d: _d, ...pub } = publicJwk;
    const hs256 = await new SignJWT({ ...claims, roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256", kid: publicJwk.kid, typ: "at+jwt" })
      .sign(new TextEncoder().encode(JSON.stringify(pub)));
    const stranger = await newAuthSigningKeys();
    const strangerJwk = (JSON.parse(stranger) as JWK[])[0] as JWK;
    const sameKidOtherKey = JSON.stringify([{ ...strangerJwk, kid: publicJwk.kid }]);
    const now = Math.floor(Date.now() / 1000);
    const attacks: Record<string, string> = {
      "alg none": `${b64({ alg: "none", typ: "at+jwt" })}.${b64({ ...claims, roles: ["admin"] })}.`,
      "HS256 keyed with the public key": hs256,
      "tampered payload": `${header}.${b64({ ...claims, roles: ["admin"], mkts: ["*"] })}.${signature}`,
      "tampered signature": `${header}.${payload}.${signature.slice(0, -3)}${signature.endsWith("AAA") ? "BBB" : "AAA"}`,
      expired: await mintToken(keys, { subject: "x", roles: ["admin"], seconds: -60 }),
      "unknown kid": await mintToken(stranger, { subject: "x", roles: ["admin"] }),
      "our kid, another key": await mintToken(sameKidOtherKey, { subject: "x", roles: ["admin"] }),
      "wrong issuer": await mintToken(keys, { subject: "x", roles: ["admin"], issuer: "https://evil.example" }),
      "not yet valid": await new SignJWT({ roles: ["admin"], mkts: ["*"] })
        .setProtectedHeader({ alg: "ES256", kid: publicJwk.kid, typ: "at+jwt" })
        .setSubject("x")
        .setIssuer(LOCAL_ISSUER)
        .setAudience("equilibrium:api")
        .setNotBefore(now + 3600)
        .setExpirationTime(now + 7200)
        .sign(await (await import("jose")).importJWK(publicJwk, "ES256")),
      "wrong audience": await new SignJWT({ roles: ["admin"], mkts: ["*"] })
        .setProtectedHeader({ alg: "ES256", kid: publicJwk.kid, typ: "at+jwt" })
        .setSubject("x")
        .setIssuer(LOCAL_ISSUER)
        .setAudience("equilibrium:quote")
        .setExpirationTime("5m")
        .sign(await (await import("jose")).importJWK(publicJwk, "ES256")),
      garbage: "not.a.token",
    };
    for (const [name, token] of Object.entries(attacks)) {
      const res = await p.as(token).fetch("/v1/admin/api-keys");
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
    // The untampered token is fine, and is not an admin.
    expect((await p.as(good).fetch("/v1/admin/api-keys")).status).toBe(403);
    expect((await p.as(good).json("/v1/markets/hcm", demoMarket("hcmc-central"), "PUT")).status).toBe(403);
  });
});

describe("API keys", () => {
  test("created by an admin, shown once, stored only as a hash, exchanged for tokens, revoked", async () => {
    const created = await admin.json<{ id: string; key: string }>("/v1/admin/api-keys", {
      name: "Partner dispatch",
      markets: ["nyc"],
    });
    expect(created.status).toBe(201);
    const { id, key } = created.body;
    const secret = key.split("_").slice(2).join("_");
    expect(secret.length).toBeGreaterThan(30);

    const list = await admin.fetch("/v1/admin/api-keys");
    const listed = await list.text();
    expect(listed).toContain(id);
    expect(listed).not.toContain(secret);
    const stored = psql(p.database.target, p.database.name, "select row_to_json(k)::text from api_keys k");
    expect(stored).toContain(id);
    expect(stored).not.toContain(secret);

    const exchanged = await p
      .as(null)
      .json<{ access_token: string; refresh_token?: string }>("/v1/auth/token", { grant_type: "api_key", api_key: key });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.refresh_token).toBeUndefined();
    const partner = p.as(exchanged.body.access_token);
    expect(
      (await partner.json<{ accepted: number }>("/v1/events/demand", { events: demandEvents(cellAt(40.758, -73.9855), 3) })).body
        .accepted,
    ).toBe(3);
    expect((await partner.fetch("/v1/admin/api-keys")).status).toBe(403);

    expect((await admin.fetch(`/v1/admin/api-keys/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await p.as(null).json("/v1/auth/token", { grant_type: "api_key", api_key: key })).status).toBe(401);
    expect((await p.as(null).json("/v1/auth/token", { grant_type: "api_key", api_key: `${key}x` })).status).toBe(401);
    // The Workers logged these requests (one line each), and nothing they logged carries the secret.
    expect(p.logs.join("\n")).toContain("admin.apiKeys.create");
    expect(p.logs.join("\n")).not.toContain(secret);
  });
});

describe("people: password and TOTP, refresh tokens", () => {
  test("an operator signs in with a password and an authenticator code; refresh tokens rotate and revoke", async () => {
    const created = await admin.json<{ totp: { secret: string; uri: string } }>("/v1/admin/users", {
      email: "ops@example.com",
      roles: ["operator"],
      markets: ["nyc"],
      password: "correct horse battery staple",
    });
    expect(created.status).toBe(201);
    expect(created.body.totp.uri).toStartWith("otpauth://totp/");
    const code = () => totpAt(base32Decode(created.body.totp.secret), Math.floor(Date.now() / 30_000));
    const signIn = (extra: Record<string, unknown>) =>
      p.as(null).json<{ access_token?: string; refresh_token?: string; error?: string }>("/v1/auth/token", {
        grant_type: "password",
        email: "ops@example.com",
        password: "correct horse battery staple",
        ...extra,
      });
    expect((await signIn({})).body.error).toBe("mfa_required");
    expect((await signIn({ totp: "000000" })).status).toBe(401);
    expect((await signIn({ password: "wrong", totp: await code() })).status).toBe(401);
    const ok = await signIn({ totp: await code() });
    expect(ok.status).toBe(200);
    const operator = p.as(ok.body.access_token as string);
    expect((await operator.json("/v1/markets/nyc", demoMarket("nyc-manhattan"), "PUT")).status).toBe(200);
    expect((await operator.json("/v1/markets/hcm", demoMarket("hcmc-central"), "PUT")).status).toBe(403);

    const refreshed = await p.as(null).json<{ access_token: string; refresh_token: string }>("/v1/auth/token", {
      grant_type: "refresh_token",
      refresh_token: ok.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(ok.body.refresh_token);
    // The old refresh token was spent.
    expect(
      (await p.as(null).json("/v1/auth/token", { grant_type: "refresh_token", refresh_token: ok.body.refresh_token })).status,
    ).toBe(401);
    await p.as(null).json("/v1/auth/revoke", { refresh_token: refreshed.body.refresh_token });
    expect(
      (await p.as(null).json("/v1/auth/token", { grant_type: "refresh_token", refresh_token: refreshed.body.refresh_token }))
        .status,
    ).toBe(401);
    expect(
      psql(p.database.target, p.database.name, "select count(*) from users where password_hash like 'pbkdf2-sha256$%'"),
    ).toBe("1");
    expect(p.logs.join("\n")).not.toContain("correct horse battery staple");
  });
});

describe("single sign-on", () => {
  test("an ID token from the OpenID Connect provider signs in a provisioned operator", async () => {
    await admin.json("/v1/admin/users", { email: "sso@example.com", roles: ["operator"], markets: ["hcm"] });
    const idToken = await idp.sign({ sub: "idp|42", email: "sso@example.com", email_verified: true }, "equilibrium-console");
    const res = await p.as(null).json<{ access_token: string }>("/v1/auth/token", { grant_type: "id_token", id_token: idToken });
    expect(res.status).toBe(200);
    expect((await p.as(res.body.access_token).json("/v1/markets/hcm", demoMarket("hcmc-central"), "PUT")).status).toBe(200);

    const stranger = await idp.sign({ sub: "idp|7", email: "nobody@example.com" }, "equilibrium-console");
    expect((await p.as(null).json("/v1/auth/token", { grant_type: "id_token", id_token: stranger })).status).toBe(403);
    const otherAudience = await idp.sign({ sub: "idp|42", email: "sso@example.com" }, "some-other-app");
    expect((await p.as(null).json("/v1/auth/token", { grant_type: "id_token", id_token: otherAudience })).status).toBe(401);
    const expired = await idp.sign({ sub: "idp|42", email: "sso@example.com" }, "equilibrium-console", { expired: true });
    expect((await p.as(null).json("/v1/auth/token", { grant_type: "id_token", id_token: expired })).status).toBe(401);
  });

  test("a Cloudflare Access assertion authenticates a request on its own", async () => {
    const assertion = await idp.sign({ sub: "access|1", email: "sso@example.com" }, "access-aud-tag");
    const res = await p.as(null).fetch("/v1/markets/hcm/kpis?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", {
      headers: { "cf-access-jwt-assertion": assertion },
    });
    expect(res.status).toBe(200);
    const wrongAud = await idp.sign({ sub: "access|1", email: "sso@example.com" }, "equilibrium-console");
    expect((await p.as(null).fetch("/v1/markets", { headers: { "cf-access-jwt-assertion": wrongAud } })).status).toBe(401);
  });
});

describe("delegation", () => {
  test("a service mints rider tokens for its users, only within its markets", async () => {
    const service = p.as("service", { subject: "partner", markets: ["hcm"] });
    const rider = await service.json<{ access_token: string }>("/v1/auth/token", {
      grant_type: "delegate",
      subject: "rider-9",
      role: "rider",
    });
    expect(rider.status).toBe(200);
    const hcmQuote = await p.as(rider.body.access_token).json("/v1/quotes", {
      pickup: { lat: 10.7769, lng: 106.7009 },
      dropoff: { lat: 10.79, lng: 106.69 },
      product: "bike",
    });
    expect(hcmQuote.status).toBe(201);
    expect((await p.as(rider.body.access_token).json("/v1/markets/hcm", demoMarket("hcmc-central"), "PUT")).status).toBe(403);
    expect(
      (await service.json("/v1/auth/token", { grant_type: "delegate", subject: "r", role: "rider", markets: ["nyc"] })).status,
    ).toBe(403);
    expect(
      (await p.as(rider.body.access_token).json("/v1/auth/token", { grant_type: "delegate", subject: "r", role: "rider" }))
        .status,
    ).toBe(403);
  });
});
