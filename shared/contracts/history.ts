import type { BackoffPolicy } from "../kit/backoff";
import type { ExperimentLabel, ExperimentStory } from "../pricing/policy";
import type { NotificationMessage } from "./notifications";

/**
 * What the edge and the Durable Objects tell history: the messages on the history queue, read
 * by the history writer (`workers/history/`) and written to Postgres (`db/schema.ts`).
 *
 * Every message leaves a durable outbox (`durable-objects/outbox.ts`) inside an {@link Envelope}
 * naming its origin and its place in that outbox; the consumer confirms it back to the origin
 * once written, and only then does the outbox forget it. A message can therefore arrive twice:
 * the consumer's writes are idempotent.
 */

export interface HistoryEvent {
  kind: "supply" | "demand";
  /** The principal that reported the event: event ids are unique per (kind, source). */
  source: string;
  eventId: string;
  cell: string;
  at: number;
  actorId: string | null;
  /** available | busy | offline, or search | request */
  status: string;
}

/**
 * Events as the edge hands them to one zone: each is already the history record it will become
 * (validated, located, its reporter known), plus its place in the request for the answer. The
 * zone's outbox stores them as they are; only `db/history.ts` maps them to rows.
 */
export interface ZoneEvent extends Omit<HistoryEvent, "source"> {
  index: number;
}

export interface ZoneBatch {
  market: { id: string; version: number };
  zone: string;
  /** Who reported every event of the batch (the principal's subject). */
  source: string;
  events: ZoneEvent[];
}

/** The zone's answer: the indexes seen before, and whether it refused the batch for a full outbox. */
export interface ZoneIngestResult {
  duplicates: number[];
  refused?: "backlog";
}

export interface SurgeMinute {
  cell: string;
  /** Start of the minute, epoch ms. */
  minute: number;
  supply: number;
  demand: number;
  multiplier: number;
  peakMultiplier: number;
  /** The experiment arm the cell was in at the minute's end (with shadow variants' multipliers). */
  experiment?: ExperimentStory;
}

export interface QuoteRecord {
  quoteId: string;
  market: string;
  product: string;
  cell: string;
  zone: string;
  currency: string;
  multiplierTenths: number;
  total: number;
  totalAtOne: number;
  issuedAt: number;
  expiresAt: number;
  /** The experiment arm that priced the quote; in shadow mode, what each variant would have charged. */
  experiment?: QuoteExperiment;
}

export interface QuoteExperiment extends ExperimentLabel {
  shadow?: Record<string, { multiplierTenths: number; total: number }>;
}

export interface FailureEvent {
  id: string;
  at: number;
  /** `experiment`: a guardrail stopped an experiment. */
  kind: "mode" | "dependency" | "override" | "experiment";
  subject: string;
  status: string;
  detail: Record<string, unknown>;
}

export interface RequestCount {
  minute: number;
  route: string;
  mode: string;
  outcome: "ok" | "client_error" | "server_error";
  bucketMs: number;
  count: number;
}

/** An operator's or admin's action, for the audit log. */
export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  roles: string[];
  action: string;
  target: string;
  market: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

/** Who asked for a change, for the audit log. */
export interface Actor {
  subject: string;
  roles: string[];
  requestId: string | null;
}

/** An audit entry for an action by `actor` (ids and clocks are passed in: this module is pure). */
export function auditEntry(
  actor: Actor,
  what: { action: string; target: string; market: string | null; detail?: Record<string, unknown> },
  id: string,
  at: number,
): AuditEntry {
  return {
    id,
    at,
    actor: actor.subject,
    roles: actor.roles,
    action: what.action,
    target: what.target,
    market: what.market,
    requestId: actor.requestId,
    detail: what.detail ?? {},
  };
}

export type HistoryMessage =
  | { type: "events"; market: string; zone: string; events: HistoryEvent[] }
  | { type: "surge"; market: string; zone: string; minutes: SurgeMinute[] }
  | { type: "quote"; quote: QuoteRecord }
  | { type: "verified"; quoteId: string; at: number }
  | { type: "failure"; event: FailureEvent }
  | { type: "audit"; entry: AuditEntry }
  | { type: "requests"; counts: RequestCount[] };

/**
 * Where an outbox sends: the history writer's queue, or the notifications worker's. A new
 * consumer adds its name here, its queue's binding to the hosts' `queues`, and confirms to the
 * origin exactly as the history writer does (see docs/architecture.md).
 */
export type Destination = "history" | "notifications";

/** Anything an outbox carries: history, or what the notifications worker hears (`./notifications.ts`). */
export type OutboxMessage = HistoryMessage | NotificationMessage;

/** Where a message waits until history confirms it: a Durable Object hosting an outbox. */
export interface Origin {
  /** `notifications`: a notification hub (the notifications worker's own object, per market). */
  host: "zone" | "system" | "ledger" | "notifications";
  /** The object's name (`idFromName`). */
  name: string;
}

/** A queue message: one outbox row, with what the consumer needs to confirm it. */
export interface Envelope<M extends OutboxMessage = HistoryMessage> {
  origin: Origin;
  seq: number;
  message: M;
}

/**
 * Size limits of Cloudflare Queues, in UTF-8 bytes (not characters: an id of multi-byte
 * characters is up to four times longer on the wire than it looks): a message may carry 128 KB
 * and a `sendBatch` 256 KB and 100 messages. Ours stay under them with room for the envelope.
 */
export const MAX_MESSAGE_BYTES = 100_000;
export const MAX_BATCH_BYTES = 200_000;
export const MAX_BATCH_MESSAGES = 100;

/** How both ends of the history queue back off: outboxes after refusals, the writer after failed writes. */
export const HISTORY_RETRY: BackoffPolicy = { initialMs: 250, maxMs: 30_000 };

/** The UTF-8 length of a string, without encoding it. */
export function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a surrogate pair: two UTF-16 units, four bytes
        i++;
        continue;
      }
      bytes += 2; // a lone surrogate becomes U+FFFD: three bytes
    } else bytes += 2;
  }
  return bytes;
}

/**
 * A message as one or more JSON texts, each at most `maxBytes` of UTF-8: messages that carry
 * lists (events, minutes) are split in halves until every part fits; other messages are small by
 * construction. Returns the texts in order.
 *
 * @example
 * toTexts({ type: "events", market: "nyc", zone, events: tenThousandEvents }) // → several texts, each ≤ 100 KB
 */
export function toTexts(message: OutboxMessage, maxBytes = MAX_MESSAGE_BYTES): string[] {
  const text = JSON.stringify(message);
  if (utf8Length(text) <= maxBytes) return [text];
  const halves = <T>(list: readonly T[], rebuild: (part: T[]) => OutboxMessage): string[] | undefined => {
    if (list.length < 2) return undefined;
    const half = Math.ceil(list.length / 2);
    return [...toTexts(rebuild(list.slice(0, half)), maxBytes), ...toTexts(rebuild(list.slice(half)), maxBytes)];
  };
  const parts =
    message.type === "events"
      ? halves(message.events, (events) => ({ ...message, events }))
      : message.type === "surge"
        ? halves(message.minutes, (minutes) => ({ ...message, minutes }))
        : message.type === "requests"
          ? halves(message.counts, (counts) => ({ ...message, counts }))
          : message.type === "cell-changes"
            ? halves(message.changes, (changes) => ({ ...message, changes }))
            : message.type === "notification-log"
              ? halves(message.deliveries, (deliveries) => ({ ...message, deliveries }))
              : undefined;
  if (parts) return parts;
  throw new RangeError(`a ${message.type} history message of ${utf8Length(text)} bytes cannot be split under ${maxBytes}`);
}

/** The queue body of an outbox row: the envelope around the stored message text, without re-parsing it. */
export function envelopeText(origin: Origin, seq: number, messageText: string): string {
  return `{"origin":${JSON.stringify(origin)},"seq":${seq},"message":${messageText}}`;
}
