import { CATALOGUES, type MessageKey, type MessageParams } from "./catalogue";

/**
 * Problem codes: stable, machine-readable names of what went wrong, beside a problem's localized
 * title and detail. Each code's detail is the catalogue's `problem.<code>` message. A failure
 * that has no message of its own yet (a framework's exception) carries its status's generic code.
 */

type CodeOf<K> = K extends `problem.${infer Code}` ? Code : never;
/** A code with a message of its own. */
export type ProblemCode = CodeOf<MessageKey>;

/** One generic code per status, for failures without a message of their own. */
export const GENERIC_PROBLEM_CODES: Readonly<Record<number, string>> = Object.freeze({
  400: "bad-request",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  405: "method-not-allowed",
  409: "conflict",
  413: "too-large",
  415: "unsupported-media-type",
  422: "unprocessable",
  426: "upgrade-required",
  429: "too-many-requests",
  500: "error",
  503: "unavailable",
});

/** Every code a problem may carry: the OpenAPI document lists them. */
export const PROBLEM_CODES: readonly string[] = Object.freeze(
  [
    ...Object.keys(CATALOGUES.en.messages)
      .filter((key) => key.startsWith("problem."))
      .map((key) => key.slice("problem.".length)),
    ...Object.values(GENERIC_PROBLEM_CODES),
  ].sort(),
);

/** What a problem says: its code and the values its message needs. */
export interface ProblemText {
  code: ProblemCode;
  params?: MessageParams;
}

export function problemKey(code: ProblemCode): MessageKey {
  return `problem.${code}` as MessageKey;
}
