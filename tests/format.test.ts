import { describe, expect, test } from "bun:test";
import { formatDistance, formatDuration, formatTime } from "../shared/i18n/format";

/** What a formatter made for this one call writes: the reference the module's reuse must match. */
function fresh(at: number, timeZone: string, tag: string, seconds = false): string {
  const options: Intl.DateTimeFormatOptions = { timeZone, hour: "numeric", minute: "2-digit", timeZoneName: "short" };
  return new Intl.DateTimeFormat(tag, seconds ? { ...options, second: "2-digit" } : options).format(at);
}

describe("times, distances and durations as a locale writes them", () => {
  test("a time reads as a formatter made for it, instant after instant: within a minute, across minutes, zones, a DST change", () => {
    // 2026-03-08 06:58 UTC: New York goes from EST to EDT at 07:00 UTC.
    const start = Date.UTC(2026, 2, 8, 6, 58, 0);
    const instants: number[] = [];
    for (let ms = 0; ms < 5 * 60_000; ms += 7_777) instants.push(start + ms);
    instants.push(start + 59_999, start + 60_000, start + 1, start); // back and forth, not only forwards
    for (const [zone, tag] of [
      ["America/New_York", "en-US"],
      ["Asia/Kolkata", "hi-IN"],
      ["Asia/Ho_Chi_Minh", "vi-VN"],
      ["Australia/Eucla", "en-AU"],
    ] as const)
      for (const at of instants) {
        expect(formatTime(at, zone, tag)).toBe(fresh(at, zone, tag));
        expect(formatTime(at, zone, tag, { seconds: true })).toBe(fresh(at, zone, tag, true));
      }
    expect(formatTime(Date.parse("2026-11-24T03:09:00Z"), "America/New_York", "en-US")).toBe("10:09 PM EST");
  });

  test("distances in the locale's road unit, durations in whole minutes", () => {
    expect(formatDistance(5_330, "en-US")).toBe("3.3 mi");
    expect(formatDistance(5_330, "vi-VN")).toBe("5,3 km");
    expect(formatDuration(1_130, "en-US")).toBe("19 min");
    expect(formatDuration(10, "en-US")).toBe("1 min");
  });
});
