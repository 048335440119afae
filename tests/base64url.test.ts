import { describe, expect, test } from "bun:test";
import { b64url, fromB64url } from "../shared/kit/base64url";

/** The same bytes without the runtime's own encoder, as an older browser has them. */
function withoutNative(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  Object.defineProperty(copy, "toBase64", { value: undefined });
  return copy;
}

describe("base64url", () => {
  test("the runtime's encoder and the fallback write the same text as RFC 4648 §5, unpadded", () => {
    const lengths = [0, 1, 2, 3, 4, 5, 31, 32, 33, 64, 65, 70_000];
    for (const length of lengths) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const expected = Buffer.from(bytes).toString("base64url");
      expect(b64url(bytes)).toBe(expected);
      expect(b64url(withoutNative(bytes))).toBe(expected);
      expect(fromB64url(expected)).toEqual(bytes);
    }
    expect(b64url(new Uint8Array([251, 255]))).toBe("-_8");
    expect(b64url(withoutNative(new Uint8Array([251, 255])))).toBe("-_8");
  });

  test("a view into a larger buffer is encoded for its own bytes only", () => {
    const buffer = new Uint8Array([1, 2, 3, 251, 255, 9, 9]);
    const view = buffer.subarray(3, 5);
    expect(b64url(view)).toBe("-_8");
    expect(b64url(withoutNative(view))).toBe("-_8");
  });
});
