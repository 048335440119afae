import { ExpiringMap } from "../kit/expiring-map";

/**
 * Currency amounts are carried as integers in the currency's minor unit
 * (cents, đồng, fils, ...). This module knows how many minor digits each
 * currency has and how to render an amount for people. Pure: no I/O, no clock.
 */

/**
 * ISO 4217 minor-unit exponents. An explicit table rather than asking Intl,
 * because Intl's defaults come from CLDR display data, which is not ISO 4217
 * and can change with the runtime's ICU version; money math must not.
 * Codes are upper-case, exactly as in ISO 4217.
 */
const MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ["AED", 2],
  ["AUD", 2],
  ["BHD", 3],
  ["BRL", 2],
  ["CAD", 2],
  ["CHF", 2],
  ["CLP", 0],
  ["CNY", 2],
  ["DKK", 2],
  ["EGP", 2],
  ["EUR", 2],
  ["GBP", 2],
  ["HKD", 2],
  ["IDR", 2],
  ["INR", 2],
  ["ISK", 0],
  ["JPY", 0],
  ["KRW", 0],
  ["KWD", 3],
  ["MXN", 2],
  ["MYR", 2],
  ["NGN", 2],
  ["NOK", 2],
  ["PHP", 2],
  ["PLN", 2],
  ["SAR", 2],
  ["SEK", 2],
  ["SGD", 2],
  ["THB", 2],
  ["TRY", 2],
  ["TWD", 2],
  ["UGX", 0],
  ["USD", 2],
  ["VND", 0],
  ["XOF", 0],
  ["ZAR", 2],
]);

const KNOWN_CURRENCIES: readonly string[] = Object.freeze([...MINOR_UNITS.keys()].sort());

/**
 * Number of minor-unit digits for an ISO 4217 currency code.
 *
 * @example minorUnits("USD") // 2
 * @example minorUnits("VND") // 0
 * @example minorUnits("KWD") // 3
 * @throws RangeError for a code not in the table (including lower-case codes),
 *   so a typo in market config fails loudly instead of pricing in the wrong unit.
 */
export function minorUnits(currency: string): number {
  const exponent = MINOR_UNITS.get(currency);
  if (exponent === undefined) {
    throw new RangeError(`Unknown currency code: ${JSON.stringify(currency)}`);
  }
  return exponent;
}

/**
 * Whether `code` is a currency this module can price in.
 *
 * @example isKnownCurrency("EUR") // true
 * @example isKnownCurrency("eur") // false (codes are upper-case)
 */
export function isKnownCurrency(code: string): boolean {
  return MINOR_UNITS.has(code);
}

/**
 * All supported currency codes, sorted. The array is frozen.
 *
 * @example knownCurrencies().includes("JPY") // true
 */
export function knownCurrencies(): readonly string[] {
  return KNOWN_CURRENCIES;
}

// Keys come from market config (locale × currency), so this stays small; the
// bound only guards against a caller passing arbitrary user-supplied locales. No lifetime.
const formatters = new ExpiringMap<string, Intl.NumberFormat>({ maxEntries: 256 });

function currencyFormatter(locale: string, currency: string, exponent: number): Intl.NumberFormat {
  // An invalid locale (RangeError from Intl) throws before anything is kept.
  return formatters.getOrInsertComputed(
    `${locale}\u0000${currency}`,
    () =>
      new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      }),
  );
}

/**
 * Exact decimal string for amountMinor / 10^exponent. A string rather than a
 * float division because e.g. 9007199254740991 / 100 is not representable and
 * would print the wrong last cent; Intl formats decimal strings exactly.
 */
function decimalString(amountMinor: number, exponent: number): `${number}` {
  const sign = amountMinor < 0 ? "-" : "";
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, "0");
  const split = digits.length - exponent;
  const fraction = exponent > 0 ? `.${digits.slice(split)}` : "";
  return `${sign}${digits.slice(0, split)}${fraction}` as `${number}`;
}

/**
 * Render an integer minor-unit amount for display, always with exactly the
 * currency's ISO 4217 number of fraction digits.
 *
 * @example formatMoney(1234, "USD", "en-US")  // "$12.34"
 * @example formatMoney(85000, "VND", "vi-VN") // "85.000 ₫" (U+00A0 before ₫)
 * @throws RangeError if amountMinor is not a safe integer, the currency is
 *   unknown, or Intl rejects the locale.
 */
export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
  }
  const exponent = minorUnits(currency);
  return currencyFormatter(locale, currency, exponent).format(decimalString(amountMinor, exponent));
}
