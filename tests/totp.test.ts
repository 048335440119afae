import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { base32Decode, base32Encode, totpAt, verifyTotp } from "../shared/kit/totp";

describe("TOTP (RFC 6238)", () => {
  // RFC 6238 appendix B, SHA-1 rows (8 digits), secret "12345678901234567890".
  const secret = new TextEncoder().encode("12345678901234567890");
  const vectors: Array<[number, string]> = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  for (const [seconds, code] of vectors) {
    test(`the RFC's test vector at T=${seconds}`, async () => {
      expect(await totpAt(secret, Math.floor(seconds / 30), 8)).toBe(code);
    });
  }

  test("a code is accepted in its step and the neighbouring ones, not further", async () => {
    const b32 = base32Encode(secret);
    const now = 1_700_000_000_000;
    const code = await totpAt(secret, Math.floor(now / 30_000));
    expect(await verifyTotp(b32, code, now)).toBe(true);
    expect(await verifyTotp(b32, code, now + 30_000)).toBe(true);
    expect(await verifyTotp(b32, code, now + 95_000)).toBe(false);
    expect(await verifyTotp(b32, "12345", now)).toBe(false);
  });

  test("base32 round-trips any bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expect(base32Decode(base32Encode(bytes))).toEqual(bytes)));
  });
});
