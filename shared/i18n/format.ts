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
const dateFormats = new ExpiringMap<string, Intl.DateTimeFormat>({ maxEntries: 256 });

function numberFormat(tag: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return numberFormats.getOrInsertComputed(`${tag}\u0000${JSON.stringify(options)}`, () => new Intl.NumberFormat(tag, options));
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
  return numberFormat(tag, { style: "unit", unit: miles ? "mile" : "kilometer", maximumFractionDigits: 1 }).format(value);
}

/**
 * A trip's duration in whole minutes (at least one), as the locale abbreviates them.
 *
 * @example formatDuration(1_130, "en-US") // "19 min"
 */
export function formatDuration(seconds: number, tag: string): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return numberFormat(tag, { style: "unit", unit: "minute", unitDisplay: "short" }).format(minutes);
}

/**
 * A moment on a market's clock, with the zone's abbreviation as the locale writes it.
 *
 * @example formatTime(Date.parse("2026-11-24T03:09:00Z"), "America/New_York", "en-US") // "10:09 PM EST"
 * @example formatTime(Date.parse("2026-11-24T03:09:00Z"), "Asia/Ho_Chi_Minh", "vi-VN") // "10:09 GMT+7"
 */
export function formatTime(at: number, timeZone: string, tag: string, options: { seconds?: boolean } = {}): string {
  const seconds = options.seconds === true;
  const format = dateFormats.getOrInsertComputed(
    `${tag}\u0000${timeZone}\u0000${seconds}`,
    () =>
      new Intl.DateTimeFormat(tag, {
        timeZone,
        hour: "numeric",
        minute: "2-digit",
        ...(seconds && { second: "2-digit" }),
        timeZoneName: "short",
      }),
  );
  return format.format(at);
}
