/** Progress lines (stderr) and the results table (stdout). */

const started = performance.now();

export function log(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${t}s] ${message}\n`);
}

export interface Row {
  figure: string;
  value: string;
  target?: string;
  /** undefined: informational, no target. */
  pass?: boolean;
  note?: string;
}

export function table(rows: readonly Row[]): string {
  const header: Row = { figure: "figure", value: "value", target: "target", note: "notes" };
  const cells = [header, ...rows].map((r, i) => [
    r.figure,
    r.value,
    r.target ?? "",
    i === 0 ? "result" : r.pass === undefined ? "" : r.pass ? "PASS" : "FAIL",
    r.note ?? "",
  ]);
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...cells.map((row) => (row[c] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (c === 1 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const [first, ...rest] = cells;
  return [line(first ?? []), rule, ...rest.map(line)].join("\n");
}

/** The rows as a Markdown table (figure, value, target, result), for the README. */
export function markdown(rows: readonly Row[]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const lines = rows
    .filter((r) => r.value !== "")
    .map(
      (r) =>
        `| ${esc(r.figure.trim())} | ${esc(r.value)} | ${esc(r.target ?? "")} | ${r.pass === undefined ? "" : r.pass ? "PASS" : "**FAIL**"} |`,
    );
  return ["| figure | value | target | result |", "| --- | --: | --- | --- |", ...lines].join("\n");
}

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const mib = (bytes: number) => bytes / (1024 * 1024);
