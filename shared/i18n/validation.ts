import type { z } from "zod";
import { isMessageKey, type MessageKey, type MessageParams, t } from "./catalogue";
import type { Locale } from "./locales";

/**
 * What a schema's refusal says to a person, in their language: "lat: must be a number", not the
 * validator's "Invalid input: expected number, received NaN". A message a schema wrote itself
 * (a refinement's, or `.min(12, "at least 12 characters")`) is kept as written; zod's own
 * defaults are recognised by their shape and said again from the catalogue's `validation.*`.
 */

type Issue = z.core.$ZodIssue;

/** zod's English defaults (zod/v4/locales/en): anything else was written by a schema. */
const ZOD_DEFAULT =
  /^(Invalid input|Invalid option|Too big|Too small|Invalid string|Invalid number|Unrecognized keys?|Invalid key in|Invalid value in|Invalid [A-Za-z0-9 ]+$)/;

/** One field's refusal: its dotted path and what is wrong with it, in the locale. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * Every issue of a parse as fields at fault; an unknown key is its own field. `input`, when given
 * (a query's or a path's values), tells a field left out from one given badly.
 *
 * @example fieldProblems(ENGLISH, schema.safeParse({ lat: Number.NaN }).error) // [{ path: "lat", message: "must be a number" }]
 */
export function fieldProblems(
  locale: Locale,
  error: z.ZodError,
  prefix: ReadonlyArray<string | number> = [],
  input?: Readonly<Record<string, unknown>>,
): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const at = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({ path: [...at, key].join("."), message: t(locale, "validation.unknown-field") }));
    // A query's missing number reaches its schema as NaN (coerced from nothing): it was not given.
    const absent = input !== undefined && issue.path.length === 1 && input[String(issue.path[0])] === undefined;
    return [{ path: at.join(".") || "(body)", message: absent ? t(locale, "validation.required") : issueText(locale, issue) }];
  });
}

/** One issue's text in the locale (a schema's own message as written). */
export function issueText(locale: Locale, issue: Issue): string {
  // A schema's fault that names its catalogue message (shared/pricing/market.ts's addFault).
  const params = issue.code === "custom" ? issue.params : undefined;
  if (typeof params?.message === "string" && isMessageKey(params.message))
    return t(locale, params.message, params.values as MessageParams);
  if (issue.code === "custom" || !ZOD_DEFAULT.test(issue.message)) return issue.message;
  const say = (key: MessageKey, params?: MessageParams) => t(locale, key, params);
  switch (issue.code) {
    case "invalid_type": {
      const received = /received (\w+)$/.exec(issue.message)?.[1];
      if (received === "undefined") return say("validation.required");
      return say("validation.type", { expected: issue.expected });
    }
    case "too_small": {
      const minimum = Number(issue.minimum);
      if (issue.inclusive === false && issue.origin !== "string" && issue.origin !== "array")
        return say("validation.above", { minimum });
      if (minimum === 1 && (issue.origin === "string" || issue.origin === "array")) return say("validation.empty");
      return say("validation.too-small", { origin: issue.origin, minimum });
    }
    case "too_big": {
      const maximum = Number(issue.maximum);
      if (issue.inclusive === false && issue.origin !== "string" && issue.origin !== "array")
        return say("validation.below", { maximum });
      return say("validation.too-big", { origin: issue.origin, maximum });
    }
    case "invalid_format":
      return issue.format === "datetime" ? say("validation.datetime") : say("validation.format", { format: issue.format });
    case "invalid_value":
      return say("validation.option", { values: issue.values.map((v) => JSON.stringify(v)).join(", ") });
    case "invalid_union": {
      // The first form's complaint: for a date-time-or-epoch field, the date-time's.
      const first = issue.errors[0]?.[0];
      return first ? issueText(locale, first) : say("validation.invalid");
    }
    default:
      return say("validation.invalid");
  }
}
