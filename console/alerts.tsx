/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { type Alerts, api } from "./api";
import { useWords } from "./i18n";

/**
 * The market's alerts above its map (`GET /v1/markets/{id}/alerts`, every 10 s): most of its cells
 * at the cap, degraded or emergency mode, history waiting for Postgres, an experiment a guardrail
 * stopped. Nothing to tell: nothing shown.
 */

const POLL_MS = 10_000;

export function AlertStrip({ marketId }: { marketId: string }) {
  const { t } = useWords();
  const [alerts, setAlerts] = useState<Alerts["alerts"]>([]);

  useEffect(() => {
    let stopped = false;
    const refresh = () =>
      api
        .alerts(marketId)
        .then((a) => !stopped && setAlerts(a.alerts))
        .catch(() => undefined);
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [marketId]);

  if (alerts.length === 0) return null;
  return (
    <ul class="alerts" aria-label={t("console.alerts.label")} data-testid="alerts">
      {alerts.map((a) => (
        <li key={`${a.kind}-${a.text}`} class={`alert ${a.severity}`} data-kind={a.kind} role="alert">
          {a.text}
        </li>
      ))}
    </ul>
  );
}
