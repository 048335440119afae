import { describe, expect, test } from "bun:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { newAuthSigningKeys } from "../harness/keys";
import { LOCAL_ISSUER, mintToken } from "../harness/tokens";
import { mintAccessToken, verifyAccessToken } from "../workers/api/auth/tokens";

/**
 * Tests, benchmarks and `npm run token` mint their own access tokens (harness/tokens.ts) instead
 * of borrowing the API's code: here the API's own verifier and issuer judge them, so the two
 * cannot drift apart without a failure that names the difference.
 */

const keys = await newAuthSigningKeys();
const env = { AUTH_SIGNING_KEYS: keys, AUTH_ISSUER: LOCAL_ISSUER } as unknown as Env;

describe("access tokens minted by the harness", () => {
  test("are taken by the API's verifier for exactly the principal they name", async () => {
    const token = await mintToken(keys, {
      subject: "dispatch",
      roles: ["service"],
      markets: ["nyc-manhattan"],
      routes: ["events.demand"],
    });
    const principal = await verifyAccessToken(env, token);
    expect(principal).toMatchObject({
      subject: "dispatch",
      roles: ["service"],
      markets: ["nyc-manhattan"],
      routes: ["events.demand"],
      via: "token",
    });
    expect(principal.credential?.expiresAt).toBeGreaterThan(Date.now());
  });

  test("carry the header and claims of a token the API issues itself", async () => {
    const principal = { subject: "rider-1", roles: ["rider" as const], markets: ["*"], routes: undefined };
    const ours = await mintToken(keys, { subject: "rider-1", roles: ["rider"] });
    const theirs = await mintAccessToken(env, principal);
    expect(decodeProtectedHeader(ours)).toEqual(decodeProtectedHeader(theirs));
    const [mine, api] = [decodeJwt(ours), decodeJwt(theirs)];
    expect(Object.keys(mine).sort()).toEqual(Object.keys(api).sort());
    const { jti: _a, iat: _b, exp: _c, ...same } = api;
    expect(mine).toMatchObject(same);
    // As long-lived, unless a test asks otherwise.
    expect((mine.exp ?? 0) - (mine.iat ?? 0)).toBe((api.exp ?? 0) - (api.iat ?? 0));
  });
});
