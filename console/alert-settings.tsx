/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { type Answer, ApiProblem, answer, type Body } from "../client";
import { client, type Market } from "./api";
import { useWords } from "./i18n";
import { Mailbox, useMailbox } from "./mailbox";

/**
 * An operator's own alerts for a market (`/v1/notifications/subscriptions`): what to hear — a
 * mode change, an emergency, history backing up, a guardrail stop, hotspots, or the price of the
 * selected cell crossing a multiplier — and where: a signed webhook, an email, an SMS; with quiet
 * hours on the market's clock. Each operator sees and deletes only theirs; the API decides who
 * may hear what, and its refusals are shown as it words them. On a developer's machine the
 * mailbox follows: what was sent, to anyone, as it was sent.
 */

type Subscription = Answer<"/v1/notifications/subscriptions", "get">["subscriptions"][number];
type Input = Body<"/v1/notifications/subscriptions", "post">;
type Topic = Input["topic"];

const MARKET_TOPICS = ["system.mode", "system.emergency", "system.backlog", "experiment.guardrail", "hotspots"] as const;
const CELL_TOPICS = ["surge.above", "surge.below"] as const;
const CHANNELS = ["webhook", "email", "sms"] as const;
type Channel = (typeof CHANNELS)[number];

const notifications = {
  list: (market: string) =>
    answer(client.GET("/v1/notifications/subscriptions", { params: { query: { market } } })).then((r) => r.subscriptions),
  create: (body: Input) => answer(client.POST("/v1/notifications/subscriptions", { body })),
  remove: (subscriptionId: string) =>
    answer(client.DELETE("/v1/notifications/subscriptions/{subscriptionId}", { params: { path: { subscriptionId } } })),
};

const topicKey = (topic: string) => `console.notify.topic.${topic.replace(".", "-")}` as "console.notify.topic.system-mode";

export function AlertSettings({ market, cell }: { market: Market; cell: string | undefined }) {
  const { t, n, locale } = useWords();
  const [list, setList] = useState<Subscription[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [topic, setTopic] = useState<Topic>("system.mode");
  const [channel, setChannel] = useState<Channel>("webhook");
  const [target, setTarget] = useState("");
  const [threshold, setThreshold] = useState("1.5");
  const [quietFrom, setQuietFrom] = useState("");
  const [quietTo, setQuietTo] = useState("");
  const [reload, setReload] = useState(0);
  const mailbox = useMailbox();

  useEffect(() => {
    notifications
      .list(market.id)
      .then(setList)
      .catch((err: unknown) => setError(describe(err)));
  }, [market.id, reload]);

  const aboutCell = (CELL_TOPICS as readonly string[]).includes(topic);
  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSecret(null);
    try {
      const made = await notifications.create({
        topic,
        market: market.id,
        channel,
        target,
        locale: locale.tag,
        ...(aboutCell ? { cells: cell ? [cell] : [], threshold: Number(threshold) } : {}),
        ...(quietFrom && quietTo ? { quietHours: { from: quietFrom, to: quietTo } } : {}),
      } as Input);
      setSecret(made.secret ?? null);
      setTarget("");
      setReload((x) => x + 1);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    setError(null);
    try {
      await notifications.remove(id);
      setReload((x) => x + 1);
    } catch (err) {
      setError(describe(err));
    }
  };

  return (
    <section class="alert-settings" aria-label={t("console.tab.alerts")}>
      <p class="muted">{t("console.notify.intro", { market: market.name, timeZone: market.timezone })}</p>
      {error && (
        <p class="notice error" role="alert" data-testid="alert-settings-error">
          {error}
        </p>
      )}
      {secret && (
        <p class="notice ok" data-testid="alert-secret">
          {t("console.notify.secret")} <code>{secret}</code>
        </p>
      )}
      <form class="fields" onSubmit={add} data-testid="alert-form">
        <div class="field wide">
          <label for="alert-topic">{t("console.notify.topic")}</label>
          <select id="alert-topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value as Topic)}>
            {[...MARKET_TOPICS, ...CELL_TOPICS].map((id) => (
              <option key={id} value={id}>
                {t(topicKey(id))}
              </option>
            ))}
          </select>
          {aboutCell && (
            <small data-testid="alert-cell">{cell ? t("console.notify.cell", { cell }) : t("console.notify.cell.none")}</small>
          )}
        </div>
        {aboutCell && (
          <div class="field">
            <label for="alert-threshold">{t("console.notify.threshold")}</label>
            <input
              id="alert-threshold"
              type="number"
              min="1"
              max="10"
              step="0.1"
              value={threshold}
              onInput={(e) => setThreshold(e.currentTarget.value)}
            />
          </div>
        )}
        <div class="field">
          <label for="alert-channel">{t("console.notify.channel")}</label>
          <select id="alert-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value as Channel)}>
            {CHANNELS.map((id) => (
              <option key={id} value={id}>
                {t(`console.notify.channel.${id}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field wide">
          <label for="alert-target">{t("console.notify.target")}</label>
          <input id="alert-target" value={target} required onInput={(e) => setTarget(e.currentTarget.value)} />
          <small>{t("console.notify.target.hint", { channel })}</small>
        </div>
        <div class="field">
          <label for="alert-quiet-from">{t("console.notify.quiet.from")}</label>
          <input id="alert-quiet-from" type="time" value={quietFrom} onInput={(e) => setQuietFrom(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="alert-quiet-to">{t("console.notify.quiet.to")}</label>
          <input id="alert-quiet-to" type="time" value={quietTo} onInput={(e) => setQuietTo(e.currentTarget.value)} />
          <small>{t("console.notify.quiet.hint")}</small>
        </div>
        <button type="submit" disabled={busy}>
          {t("console.notify.add")}
        </button>
      </form>
      <h3>{t("console.notify.list")}</h3>
      {list && list.length === 0 && <p class="empty">{t("console.notify.none")}</p>}
      {list && list.length > 0 && (
        <ul class="alert-list" data-testid="alert-list">
          {list.map((s) => (
            <li key={s.subscriptionId} data-subscription={s.subscriptionId} data-topic={s.topic}>
              <strong>{t(topicKey(s.topic))}</strong>
              {s.threshold !== null && <> · {n(s.threshold)}×</>}
              {s.cells.length > 0 && <> · {t("console.notify.cells", { count: s.cells.length })}</>}
              <br />
              <span class="muted" style="overflow-wrap:anywhere">
                {t(`console.notify.channel.${s.channel}`)} · {typeof s.target === "string" ? s.target : s.target.endpoint}
                {s.quietHours && ` · ${t("console.notify.quiet.during", { from: s.quietHours.from, to: s.quietHours.to })}`}
                {s.status !== "active" && ` · ${t("console.notify.status.disabled", { reason: s.statusReason ?? "" })}`}
              </span>{" "}
              <button type="button" class="small danger" onClick={() => remove(s.subscriptionId)}>
                {t("console.notify.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {mailbox && <Mailbox timeZone={market.timezone} />}
    </section>
  );
}

function describe(err: unknown): string {
  return err instanceof ApiProblem ? err.message : String(err);
}
