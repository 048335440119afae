/**
 * Text Postgres can store: it refuses NUL in `text` and the `\u0000` escape in `jsonb`, and a
 * lone UTF-16 surrogate cannot be encoded at all. Identifiers that key rows are refused at the
 * edge instead (changing them could merge two rows); free text and JSON details are cleaned
 * here, on the way in, so one odd byte never stops a batch.
 */

/** A string with NUL and lone surrogates replaced by U+FFFD. */
export function storableText(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "\uFFFD") : wellFormed;
}

/** A JSON value with every string (keys too) made storable. */
export function storableJson<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) return value.map((v) => storableJson(v)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
  }
  return value;
}
