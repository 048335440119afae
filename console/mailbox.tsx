/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { type Answer, ApiProblem, answer } from "../client";
import { client } from "./api";
import { useWords } from "./i18n";

/**
 * On a developer's machine, the mailbox (`GET /v1/notifications/mailbox`), below the alert
 * settings: every message the
 * providers' stand-ins received — emails, SMS, pushes, webhooks — as its recipient would read it,
 * newest first, with the provider's request beside it. Refreshed every few seconds while open.
 * Where there is no mailbox (production answers 404) it is not shown at all.
 */

type Message = Answer<"/v1/notifications/mailbox", "get">["messages"][number];

const POLL_MS = 3_000;
const read = () => answer(client.GET("/v1/notifications/mailbox")).then((r) => r.messages);

/** Whether this platform keeps a mailbox (asked once per page). */
export function useMailbox(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    read()
      .then(() => setAvailable(true))
      .catch(() => setAvailable(false));
  }, []);
  return available;
}

export function Mailbox({ timeZone }: { timeZone: string }) {
  const { t, time } = useWords();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const refresh = () =>
      read()
        .then((m) => {
          if (stopped) return;
          setMessages(m);
          setError(null);
        })
        .catch((err: unknown) => !stopped && setError(err instanceof ApiProblem ? err.message : String(err)));
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <section class="mailbox" aria-label={t("console.tab.mailbox")}>
      <h3>{t("console.tab.mailbox")}</h3>
      <p class="muted">{t("console.mailbox.intro")}</p>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      {messages && messages.length === 0 && <p class="empty">{t("console.mailbox.empty")}</p>}
      {messages && messages.length > 0 && (
        <ul class="alert-list" data-testid="mailbox">
          {messages.map((m) => (
            <li key={m.id} data-channel={m.channel} data-message={m.id}>
              <strong>{m.title || t(`console.notify.channel.${m.channel}`)}</strong>
              <br />
              <span class="muted" style="overflow-wrap:anywhere">
                {t(`console.notify.channel.${m.channel}`)} · {t("console.mailbox.to", { to: m.to })} · {time(m.at, timeZone)}
              </span>
              <p>{m.body}</p>
              <details>
                <summary>{t("console.mailbox.request")}</summary>
                <pre style="white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px">
                  {`${m.request.method} ${m.request.path}\n${m.request.contentType}\n\n${m.request.body}`}
                </pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
