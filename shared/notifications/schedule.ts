import { ExpiringMap } from "../kit/expiring-map";
import type { QuietHours, StoredSubscription } from "./subscription";

/**
 * When a delivery goes: the rules a recipient set, applied to the moment a notice arrives.
 *
 *   arrival ──digest──▶ + digestMinutes (later notices join the same message)
 *           ──limit───▶ no sooner than the recipient's frequency limit allows
 *           ──quiet───▶ not inside quiet hours (in the recipient's time zone): at their end
 *
 * Pure: the clock is passed in. A delivery that waits gathers what arrives meanwhile, so a limit
 * or a quiet night turns a flood into one digest, and nothing is dropped.
 */

/** Queues delay a message by at most 12 hours; a delivery due later waits in its hub's alarm. */
export const MAX_QUEUE_DELAY_MS = 12 * 3_600_000;

// Formatters per time zone: building one costs far more than using it (zones number a few hundred).
const formatters = new ExpiringMap<string, Intl.DateTimeFormat>({ maxEntries: 1_000 });

/** Minutes since local midnight at `at` in `timeZone`. */
export function localMinutes(at: number, timeZone: string): number {
  const format = formatters.getOrInsertComputed(
    timeZone,
    () => new Intl.DateTimeFormat("en-US", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  );
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === "hour") hour = Number(part.value) % 24;
    if (part.type === "minute") minute = Number(part.value);
  }
  return hour * 60 + minute;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether local minute `m` is inside quiet hours (which may run past midnight). */
export function isQuiet(m: number, quiet: QuietHours): boolean {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  return from < to ? m >= from && m < to : m >= from || m < to;
}

/**
 * The first moment at or after `at` outside quiet hours.
 *
 * @example afterQuietHours(Date.parse("2026-03-02T04:30:00Z"), { from: "22:00", to: "07:00" }, "America/New_York")
 *   // 2026-03-02T12:00:00Z (07:00 in New York)
 */
export function afterQuietHours(at: number, quiet: QuietHours | null, timeZone: string): number {
  if (!quiet) return at;
  const m = localMinutes(at, timeZone);
  if (!isQuiet(m, quiet)) return at;
  const end = minutesOf(quiet.to);
  let t = at - (at % 60_000) + ((end - m + 1440) % 1440) * 60_000;
  // A daylight-saving change in between moves the wall clock: step to where it reads the end.
  for (let i = 0; i < 2; i++) {
    const off = (((end - localMinutes(t, timeZone) + 720 + 1440) % 1440) - 720) * 60_000;
    if (off === 0) break;
    t += off;
  }
  return Math.max(at, t);
}

/**
 * The earliest moment at or after `at` when the recipient may get another message: fewer than
 * `limit.count` sent (or due) within the `limit.minutes` before it. `times` are those messages.
 */
export function afterLimit(at: number, times: readonly number[], limit: { count: number; minutes: number }): number {
  const window = limit.minutes * 60_000;
  const recent = times.filter((t) => t > at - window && t <= at + window).sort((a, b) => a - b);
  let t = at;
  // Slide until the window ending at t holds fewer than count (each step passes one message).
  for (let i = 0; i < recent.length; i++) {
    const inWindow = recent.filter((x) => x > t - window && x <= t).length;
    if (inWindow < limit.count) return t;
    const oldest = recent.find((x) => x > t - window) as number;
    t = oldest + window;
  }
  return t;
}

/**
 * When a new delivery for `subscription`, opened by a notice arriving `now`, should go.
 * `recipientTimes`: when the recipient's other messages went or are due.
 */
export function sendAt(
  subscription: Pick<StoredSubscription, "digestMinutes" | "limit" | "quietHours" | "timeZone">,
  now: number,
  recipientTimes: readonly number[],
): number {
  const gathered = now + subscription.digestMinutes * 60_000;
  const allowed = afterLimit(gathered, recipientTimes, subscription.limit);
  return afterQuietHours(allowed, subscription.quietHours, subscription.timeZone);
}
