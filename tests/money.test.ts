import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatMoney, isKnownCurrency, knownCurrencies, minorUnits } from "../shared/pricing/money";

// Written out from ISO 4217 independently of the implementation's table.
const ISO_4217_EXPONENTS: Record<string, number> = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  VND: 0,
  JPY: 0,
  KRW: 0,
  IDR: 2,
  CLP: 0,
  KWD: 3,
  BHD: 3,
  INR: 2,
  BRL: 2,
  MXN: 2,
  SGD: 2,
  THB: 2,
  PHP: 2,
  AUD: 2,
  CAD: 2,
  CHF: 2,
  ZAR: 2,
  NGN: 2,
  EGP: 2,
  AED: 2,
  SAR: 2,
  TRY: 2,
  PLN: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  HKD: 2,
  TWD: 2,
  CNY: 2,
  MYR: 2,
  ISK: 0,
  UGX: 0,
  XOF: 0,
};

const LOCALES = ["en-US", "de-DE", "fr-FR", "vi-VN", "ja-JP", "en-IN"];

function decimalSeparator(locale: string): string {
  const part = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === "decimal");
  if (part === undefined) throw new Error(`no decimal separator for ${locale}`);
  return part.value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("minorUnits", () => {
  test.each(Object.entries(ISO_4217_EXPONENTS))("%s has exponent %d", (code, exponent) => {
    expect(minorUnits(code)).toBe(exponent);
  });

  test.each(["ABC", "usd", "", " USD", "toString", "__proto__", "constructor"])(
    "throws RangeError for unknown code %p",
    (code) => {
      expect(() => minorUnits(code)).toThrow(RangeError);
      expect(isKnownCurrency(code)).toBe(false);
    },
  );
});

describe("knownCurrencies / isKnownCurrency", () => {
  test("lists exactly the ISO table, sorted and frozen", () => {
    const codes = knownCurrencies();
    expect([...codes]).toEqual(Object.keys(ISO_4217_EXPONENTS).sort());
    expect(Object.isFrozen(codes)).toBe(true);
  });

  test("every listed code is known and has an exponent in 0..3", () => {
    for (const code of knownCurrencies()) {
      expect(isKnownCurrency(code)).toBe(true);
      expect([0, 2, 3]).toContain(minorUnits(code));
    }
  });
});

describe("formatMoney examples", () => {
  test("Ho Chi Minh City fare in VND, vi-VN", () => {
    // vi-VN puts a no-break space (U+00A0) before the đồng sign.
    expect(formatMoney(85000, "VND", "vi-VN")).toBe("85.000\u00a0₫");
    expect(formatMoney(128283, "VND", "vi-VN")).toBe("128.283\u00a0₫");
  });

  test("Manhattan fare in USD, en-US", () => {
    expect(formatMoney(1234, "USD", "en-US")).toBe("$12.34");
    expect(formatMoney(3151, "USD", "en-US")).toBe("$31.51");
    expect(formatMoney(7, "USD", "en-US")).toBe("$0.07");
    expect(formatMoney(0, "USD", "en-US")).toBe("$0.00");
    expect(formatMoney(-5, "USD", "en-US")).toBe("-$0.05");
  });

  test("zero- and three-digit currencies", () => {
    expect(formatMoney(1234, "JPY", "en-US")).toBe("¥1,234");
    expect(formatMoney(1234, "KWD", "en-US")).toBe("KWD\u00a01.234");
    expect(formatMoney(1234, "EUR", "de-DE")).toBe("12,34\u00a0€");
  });

  test("largest safe integer keeps its last minor unit (no float division)", () => {
    // 9007199254740991 / 100 as a double is ...409.90625 and would print .90.
    expect(formatMoney(Number.MAX_SAFE_INTEGER, "USD", "en-US")).toBe("$90,071,992,547,409.91");
  });

  test.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)])(
    "throws RangeError for non-safe-integer amount %p",
    (amount) => {
      expect(() => formatMoney(amount, "USD", "en-US")).toThrow(RangeError);
    },
  );

  test("throws RangeError for an unknown currency or invalid locale", () => {
    expect(() => formatMoney(100, "XYZ", "en-US")).toThrow(RangeError);
    expect(() => formatMoney(100, "USD", "not a locale!")).toThrow(RangeError);
    // A rejected locale must not poison later calls.
    expect(formatMoney(100, "USD", "en-US")).toBe("$1.00");
  });
});

describe("formatMoney properties", () => {
  const safeAmount = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.maxSafeInteger());

  test("shows exactly the currency's fraction digits in every locale", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(ISO_4217_EXPONENTS)),
        fc.constantFrom(...LOCALES),
        safeAmount,
        (currency, locale, amount) => {
          const exponent = ISO_4217_EXPONENTS[currency] ?? -1;
          const formatted = formatMoney(amount, currency, locale);
          const sep = escapeRegExp(decimalSeparator(locale));
          const fraction = new RegExp(`${sep}(\\d+)`).exec(formatted);
          if (exponent === 0) {
            expect(fraction).toBeNull();
          } else {
            expect(fraction?.[1]?.length).toBe(exponent);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("round-trips the amount's digits and sign", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(ISO_4217_EXPONENTS)),
        fc.constantFrom(...LOCALES),
        safeAmount,
        (currency, locale, amount) => {
          const exponent = ISO_4217_EXPONENTS[currency] ?? -1;
          const formatted = formatMoney(amount, currency, locale);
          const digits = formatted.replace(/\D/g, "");
          expect(digits).toBe(String(Math.abs(amount)).padStart(exponent + 1, "0"));
          expect(/[-\u2212]/.test(formatted)).toBe(amount < 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
