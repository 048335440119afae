import { type MessageKey, render } from "../i18n/catalogue";
import { ENGLISH, supported } from "../i18n/locales";
import { hotspotsFor, type Notice } from "./matching";
import type { StoredSubscription } from "./subscription";

/**
 * What a delivery says, in its recipient's language: a title and a body made from the notices it
 * carries (one, or a digest of several), in the platform's message catalogues (`shared/i18n/`,
 * keys `notify.<topic>.title|body` and `notify.surge|system.digest`; English where a language
 * lacks one). Pure: no clock, no I/O.
 */

export interface Composed {
  title: string;
  body: string;
  /** The BCP 47 tag the text is written for. */
  locale: string;
}

type Params = Record<string, string | number>;

function say(tag: string, key: MessageKey, params: Params): string {
  return render(supported(tag, "user") ?? ENGLISH, key, params).text;
}

function multiplier(tenths: number | undefined, tag: string): string {
  const value = (tenths ?? 10) / 10;
  try {
    return new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
  } catch {
    return value.toFixed(1);
  }
}

/**
 * The message of a delivery: the latest notice speaks, earlier ones are counted (a digest).
 *
 * @example compose(subscription /* surge.below 1.3, en *\/, [{ toTenths: 12, ... }])
 *   // { title: "Prices are back to normal", body: "Near your place in nyc the price is now 1.2×, under your 1.3×." }
 */
export function compose(
  s: Pick<StoredSubscription, "topic" | "market" | "locale" | "thresholdTenths" | "cells">,
  notices: readonly Notice[],
): Composed {
  const tag = s.locale;
  const latest = notices[notices.length - 1];
  const topic = s.topic.replace(".", "-") as
    | "surge-below"
    | "surge-above"
    | "hotspots"
    | "system-mode"
    | "system-emergency"
    | "system-backlog"
    | "experiment-guardrail";
  const hotspots = latest ? hotspotsFor(s, latest) : [];
  const top = hotspots[0];
  const params: Params = {
    market: s.market,
    multiplier: multiplier(latest?.toTenths, tag),
    threshold: multiplier(s.thresholdTenths ?? undefined, tag),
    mode: latest?.status ?? "",
    status: latest?.status ?? "",
    // A select's keys are plain words: "backed-up" is said as backedup.
    state: (latest?.status ?? "").replaceAll("-", ""),
    cap: latest?.cap === undefined ? "" : multiplier(latest.cap * 10, tag),
    reason: latest?.reason ?? "",
    count: notices.length,
    experiment: latest?.subject ?? "",
    origin: latest?.subject ?? "",
    pending: latest?.pending ?? 0,
    cells: hotspots.length,
    minutes: latest?.horizonMinutes ?? 0,
    shortage: top ? Math.max(1, Math.round(top.shortage)) : 0,
    lat: top ? top.lat.toFixed(4) : "",
    lng: top ? top.lng.toFixed(4) : "",
  };
  const title = say(tag, `notify.${topic}.title`, params);
  let body = say(tag, `notify.${topic}.body`, params);
  if (notices.length > 1)
    body = `${body} ${say(tag, s.topic.startsWith("surge") ? "notify.surge.digest" : "notify.system.digest", params)}`;
  return { title, body, locale: tag };
}

/** One line about a notice, for the delivery log (English, like the other logs). */
export function describeNotice(n: Notice): string {
  if (n.cell !== undefined)
    return `${n.cell}: ${((n.fromTenths ?? 10) / 10).toFixed(1)}× → ${((n.toTenths ?? 10) / 10).toFixed(1)}×`;
  if (n.topic === "system.emergency") return `emergency ${n.status ?? ""}${n.cap === undefined ? "" : ` (cap ${n.cap}×)`}`;
  if (n.topic === "hotspots") return `${n.hotspots?.length ?? 0} hotspots in ${n.horizonMinutes ?? 0} min`;
  if (n.topic === "system.backlog") return `outbox ${n.subject ?? ""} ${n.status ?? ""} (${n.pending ?? 0} rows)`;
  if (n.topic === "experiment.guardrail") return `experiment ${n.subject ?? ""} ${n.status ?? ""} by its guardrail`;
  return `mode ${n.status ?? ""}`;
}
