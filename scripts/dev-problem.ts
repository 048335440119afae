/**
 * What the dev command and its tools say when something stands in the way: one line a person can
 * act on, never a stack trace (`DEBUG=1` prints the stack as well).
 */
export class DevProblem extends Error {
  override name = "DevProblem";
}

const SYSTEM_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  EADDRINUSE: "address in use",
  ENOTFOUND: "host not found",
  ETIMEDOUT: "timed out",
  EACCES: "permission denied",
};

/**
 * One line for any failure: a DevProblem as it is, anything else by its message's first line
 * (with the system error's name, when there is one).
 *
 * @example oneLine(new Error("connect ECONNREFUSED 127.0.0.1:5432\n  at …")) // "connect ECONNREFUSED 127.0.0.1:5432"
 */
export function oneLine(error: unknown): string {
  if (error instanceof DevProblem) return error.message;
  const err = error as { message?: string; code?: string; cause?: unknown };
  const first =
    String(err?.message ?? error)
      .split("\n")[0]
      ?.trim() || "unknown failure";
  const code = err?.code && SYSTEM_ERRORS[err.code];
  return code && !first.includes(err.code as string) ? `${first} (${code})` : first;
}

/** Prints the problem on one line and ends the process with status 1. */
export function exitWith(error: unknown, prefix = "npm start"): never {
  console.error(`${prefix}: ${oneLine(error)}`);
  if (process.env.DEBUG && error instanceof Error && !(error instanceof DevProblem)) console.error(error.stack);
  process.exit(1);
}

/** The PORT variable as a port number, or a problem saying what is wrong with it. */
export function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new DevProblem(`${name} must be a port number (1–65535), not "${value}"`);
  return port;
}
