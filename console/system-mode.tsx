/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { api, type Readiness } from "./api";

/**
 * The platform's mode in the header. Until the failure-handling work adds a system-mode object
 * (normal / degraded / emergency), the mode is read from `/health/ready`: ready is normal, a
 * failing check is degraded, no answer is unreachable.
 */

const POLL_MS = 10_000;

type Mode = { name: "checking" } | { name: "normal" | "degraded"; readiness: Readiness } | { name: "unreachable"; error: string };

export function SystemMode() {
  const [mode, setMode] = useState<Mode>({ name: "checking" });

  useEffect(() => {
    let stale = false;
    const check = () =>
      api
        .readiness()
        .then((readiness) => !stale && setMode({ name: readiness.status === "ready" ? "normal" : "degraded", readiness }))
        .catch((err: unknown) => !stale && setMode({ name: "unreachable", error: String(err) }));
    check();
    const timer = setInterval(check, POLL_MS);
    return () => {
      stale = true;
      clearInterval(timer);
    };
  }, []);

  const detail =
    "readiness" in mode
      ? Object.entries(mode.readiness.checks)
          .map(([name, c]) => `${name}: ${c.status}${c.error ? ` (${c.error})` : ""}`)
          .join("\n")
      : "error" in mode
        ? mode.error
        : "";

  return (
    <div class="system-mode">
      <span class={`mode ${mode.name}`} title={detail} data-testid="system-mode">
        <span class="dot" aria-hidden="true" />
        {mode.name === "checking" ? "Checking…" : `System ${mode.name}`}
      </span>
      {/*
       * FAILURE-HANDLING: the operator override control (force normal / degraded / emergency, and
       * an emergency cap) goes here, replacing this disabled stand-in, once the system-mode object
       * and its API land with the failure-handling issue.
       */}
      <select
        class="mode-override"
        disabled
        title="Operator override: coming with failure handling"
        aria-label="Operator override (not yet available)"
      >
        <option>Override: coming soon</option>
      </select>
    </div>
  );
}
