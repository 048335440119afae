/** A 24-hour clock in the operator's own time zone: short enough for a stat box at phone width. */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
}
