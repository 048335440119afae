import { ExpiringMap } from "../kit/expiring-map";

/**
 * Amounts, distances, durations and times as people read them in a locale: digits, separators
 * and units are the locale's (`ar-EG` writes Arabic-Indic digits, `en-US` miles), money in the
 * market's currency and its minor units (`formatMoney` in `shared/pricing/money.ts`), times on the market's clock
 * with its zone's abbreviation. Pure: the instant to show is passed in.
 */

/** Regions whose roads are measured in miles. */
const MILE_REGIONS = new Set(["US", "GB", "LR", "MM"]);

// Formatters by locale and options: a handful of locales times a few shapes; LRU beyond that.
const numberFormats = new ExpiringMap<string, Intl.NumberFormat>({ maxEntries: 256 });
/** A time formatter, with the last whole minute (or second) it wrote and the text it wrote for it. */
const dateFormats = new ExpiringMap<string, { format: Intl.DateTimeFormat; step: number; last: number; text: string }>({
  maxEntries: 256,
});

/** The shapes of number this module writes, by name (the formatters' key, with the locale). */
const NUMBER_SHAPES = {
  km: { style: "unit", unit: "kilometer", maximumFractionDigits: 1 },
  mi: { style: "unit", unit: "mile", maximumFractionDigits: 1 },
  minutes: { style: "unit", unit: "minute", unitDisplay: "short" },
} as const satisfies Record<string, Intl.NumberFormatOptions>;

function numberFormat(tag: string, shape: keyof typeof NUMBER_SHAPES): Intl.NumberFormat {
  return numberFormats.getOrInsertComputed(`${tag}\u0000${shape}`, () => new Intl.NumberFormat(tag, NUMBER_SHAPES[shape]));
}

/** The region a locale implies (`en` → US, `vi` → VN), for units; by tag, as formatters are. */
const regions = new ExpiringMap<string, string | null>({ maxEntries: 256 });
function region(tag: string): string | undefined {
  return (
    regions.getOrInsertComputed(tag, () => {
      try {
        return new Intl.Locale(tag).maximize().region ?? null;
      } catch {
        return null;
      }
    }) ?? undefined
  );
}

/**
 * A trip's distance in the locale's road unit, to one decimal.
 *
 * @example formatDistance(5_330, "en-US") // "3.3 mi"
 * @example formatDistance(5_330, "vi-VN") // "5,3 km"
 */
export function formatDistance(meters: number, tag: string): string {
  const miles = MILE_REGIONS.has(region(tag) ?? "");
  const value = miles ? meters / 1609.344 : meters / 1000;
  return numberFormat(tag, miles ? "mi" : "km").format(value);
}

/**
 * A trip's duration in whole minutes (at least one), as the locale abbreviates them.
 *
 * @example formatDuration(1_130, "en-US") // "19 min"
 */
export function formatDuration(seconds: number, tag: string): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return numberFormat(tag, "minutes").format(minutes);
}

/**
 * A moment on a market's clock, with the zone's abbreviation as the locale writes it.
 *
 * @example formatTime(Date.parse("2026-11-24T03:09:00Z"), "America/New_York", "en-US") // "10:09 PM EST"
 * @example formatTime(Date.parse("2026-11-24T03:09:00Z"), "Asia/Ho_Chi_Minh", "vi-VN") // "10:09 GMT+7"
 */
export function formatTime(at: number, timeZone: string, tag: string, options: { seconds?: boolean } = {}): string {
  const seconds = options.seconds === true;
  const shown = dateFormats.getOrInsertComputed(`${tag}\u0000${timeZone}\u0000${seconds}`, () => ({
    format: new Intl.DateTimeFormat(tag, {
      timeZone,
      hour: "numeric",
      minute: "2-digit",
      ...(seconds && { second: "2-digit" }),
      timeZoneName: "short",
    }),
    step: seconds ? 1000 : 60_000,
    last: Number.NaN,
    text: "",
  }));
  // Every instant of one minute (one second) reads the same, as every zone's offset has been
  // whole minutes since 1972: the last text is kept, and quotes issued in the same minute share it.
  const unit = Math.floor(at / shown.step);
  if (unit !== shown.last) {
    shown.text = shown.format.format(at);
    shown.last = unit;
  }
  return shown.text;
}
