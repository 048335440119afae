/**
 * What the notifications worker (`workers/notifications/`) hears, on its own queue, from the
 * single outbox of each object (`durable-objects/outbox.ts`, destination `"notifications"`):
 *
 * - zones: the shown changes of a tick in cells someone watches, each with the value before it
 *   (so a crossing is decided from the message alone, however late or often it arrives);
 * - the system-mode object: its failure events (mode changes, emergencies declared and lifted),
 *   the same `failure` messages history gets;
 * - the edge, through a ledger shard: experiments a guardrail stopped (`failure`, kind
 *   `experiment`) and each training's hotspots (`hotspots`);
 * - any outbox whose backlog crosses a mark, either way (`backlog`);
 * - the worker's own hubs: their delivery log and target states, on their way to Postgres.
 *
 * Messages arrive in an envelope naming their origin and seq, and are confirmed back exactly as
 * history is; they may arrive twice, and every use of them is idempotent.
 */

/** One shown change of a watched cell. `seq` and `at` name the change for good (the cell's seq survives restarts). */
export interface CellChange {
  cell: string;
  fromTenths: number;
  toTenths: number;
  seq: number;
  at: number;
}

/** A delivery's state as the worker's hub last set it: the delivery log's row. */
export interface DeliveryRecord {
  id: string;
  subscription: string;
  market: string;
  topic: string;
  channel: string;
  /** retrying: scheduled again after a retryable answer; parked: in the dead letters, with its reason; cancelled: its subscription was deleted. */
  status: "scheduled" | "sent" | "retrying" | "parked" | "cancelled";
  /** What it tells: the notices it carries (more than one is a digest). */
  notices: Array<{ id: string; at: number; summary: string }>;
  attempts: number;
  sendAt: number;
  sentAt: number | null;
  lastError: string | null;
  /** The language it was (or will be) written in. */
  locale: string;
  /** Increases with each change of the delivery: Postgres keeps the latest. */
  version: number;
}

/** A cell expected short of drivers over the next `horizonMinutes` (as `GET …/hotspots` ranks them). */
export interface Hotspot {
  cell: string;
  lat: number;
  lng: number;
  expectedDemand: number;
  expectedSupply: number;
  shortage: number;
}

/** A market's hotspots after a training of its forecast: the most short cells, most short first. */
export interface HotspotsPublished {
  type: "hotspots";
  market: string;
  modelId: string;
  horizonMinutes: number;
  at: number;
  cells: Hotspot[];
}

/** An outbox's backlog crossed a mark: `backed-up` or `full` going up, `ok` once it has drained well below. */
export interface BacklogChange {
  type: "backlog";
  market: string;
  /** The outbox's host (a zone's object name). */
  origin: string;
  status: "ok" | "backed-up" | "full";
  pending: number;
  bytes: number;
  at: number;
}

export type NotificationMessage =
  | { type: "cell-changes"; market: string; zone: string; changes: CellChange[] }
  | HotspotsPublished
  | BacklogChange
  | { type: "notification-log"; market: string; deliveries: DeliveryRecord[] }
  | {
      type: "subscription-state";
      market: string;
      subscription: string;
      status: "active" | "disabled";
      reason: string | null;
      at: number;
    };
