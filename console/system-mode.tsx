/** @jsxImportSource preact */
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiProblem, api, type SystemSnapshot } from "./api";
import { useWords } from "./i18n";

/**
 * The system's mode in the header (normal / degraded from the dependencies, emergency for the
 * market shown when an operator declared one), and the operator's override: an emergency cap on
 * the market's multipliers for a while, and lifting it.
 */

const POLL_MS = 5_000;

const marketInView = () => decodeURIComponent(location.hash.replace(/^#\//, "").split("/")[0] ?? "");

export function SystemMode({ timeZone }: { timeZone?: string | undefined }) {
  const { t, time } = useWords();
  const [snapshot, setSnapshot] = useState<SystemSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [market, setMarket] = useState(marketInView());
  const [open, setOpen] = useState(false);

  const refresh = useCallback(
    () =>
      api
        .system()
        .then((s) => {
          setSnapshot(s);
          setError(null);
        })
        .catch((err: unknown) => setError(err instanceof ApiProblem ? err.detail : String(err))),
    [],
  );

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    const follow = () => setMarket(marketInView());
    addEventListener("hashchange", follow);
    return () => {
      clearInterval(timer);
      removeEventListener("hashchange", follow);
    };
  }, [refresh]);

  const overrides = snapshot?.overrides.filter((o) => o.market === market) ?? [];
  const mode = error ? "unreachable" : !snapshot ? "checking" : (snapshot.markets[market] ?? snapshot.mode);
  const detail = snapshot
    ? Object.entries(snapshot.dependencies)
        .map(([name, d]) => `${name}: ${d.status}${d.lastError ? ` (${d.lastError})` : ""}`)
        .join("\n")
    : (error ?? "");

  const declare = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    try {
      await api.declareOverride({
        market,
        cap: Number(data.get("cap")),
        minutes: Number(data.get("minutes")),
        reason: String(data.get("reason")),
      });
      setOpen(false);
      await refresh();
    } catch (err) {
      setError(err instanceof ApiProblem ? err.detail : String(err));
    }
  };

  return (
    <div class="system-mode">
      <span class={`mode ${mode}`} title={detail} data-testid="system-mode">
        <span class="dot" aria-hidden="true" />
        {mode === "checking" ? t("console.system.checking") : t("console.system.mode", { mode })}
      </span>
      {overrides.map((o) => (
        <span class="override" key={o.id} data-testid="override">
          {t("console.system.override", {
            cap: o.cap,
            time: timeZone ? time(o.until, timeZone) : new Date(o.until).toLocaleTimeString(),
          })}
          <button type="button" onClick={() => api.liftOverride(o.id).then(refresh)}>
            Lift
          </button>
        </span>
      ))}
      {market && (
        <button type="button" class="mode-override" onClick={() => setOpen(!open)} data-testid="override-open">
          Emergency cap…
        </button>
      )}
      {open && (
        <form class="override-form" onSubmit={declare} data-testid="override-form">
          <label>
            Cap <input name="cap" type="number" min="1" max="10" step="0.1" value="1.0" required />
          </label>
          <label>
            Minutes <input name="minutes" type="number" min="1" max="1440" value="30" required />
          </label>
          <label>
            Reason <input name="reason" minLength={3} required placeholder="e.g. road closures" />
          </label>
          <button type="submit">Declare</button>
        </form>
      )}
    </div>
  );
}
