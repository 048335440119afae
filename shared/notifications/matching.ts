import type { FailureEvent } from "../contracts/history";
import type { BacklogChange, CellChange, Hotspot, HotspotsPublished } from "../contracts/notifications";
import { listening, type StoredSubscription, type Topic } from "./subscription";

/**
 * What happened, as subscriptions hear it: notices made from the messages the worker receives,
 * and which subscriptions each notice is for. A notice's id is fixed by what it reports (a
 * cell's change by its seq and time, a failure event by its id), so the same message received
 * twice makes the same notices, and a (subscription, notice) pair is delivered at most once.
 */

export interface Notice {
  id: string;
  topic: Topic;
  market: string;
  at: number;
  cell?: string;
  fromTenths?: number;
  toTenths?: number;
  /** system.mode: the new mode; system.emergency: declared, lifted or expired. */
  status?: string;
  /** system.emergency: the cap declared, and why. */
  cap?: number;
  reason?: string;
  /** hotspots: the cells expected short of drivers, most short first, and how far ahead. */
  hotspots?: Hotspot[];
  horizonMinutes?: number;
  /** experiment.guardrail: the experiment stopped. system.backlog: the outbox's host. */
  subject?: string;
  /** system.backlog: rows waiting for their consumer. */
  pending?: number;
}

/**
 * Whether a shown change from `from` to `to` (tenths) crosses threshold `t` either way: the two
 * sit on different sides of it ("under t" against "t or more").
 *
 * @example crosses(14, 12, 13) // true (1.4 → 1.2 crosses 1.3)
 * crosses(13, 14, 13) // false (both at or above 1.3)
 */
export function crosses(from: number, to: number, t: number): boolean {
  return from < t !== to < t;
}

export function crossesAny(from: number, to: number, thresholds: readonly number[]): boolean {
  return thresholds.some((t) => crosses(from, to, t));
}

/** Whether a change is the crossing a surge subscription waits for: down under its threshold, or up to it. */
export function isCrossingFor(topic: Topic, thresholdTenths: number, from: number, to: number): boolean {
  if (topic === "surge.below") return from >= thresholdTenths && to < thresholdTenths;
  if (topic === "surge.above") return from < thresholdTenths && to >= thresholdTenths;
  return false;
}

/** A zone's watched changes as notices (a change is a notice for either surge topic; subscriptions decide). */
export function cellNotices(market: string, changes: readonly CellChange[]): Notice[] {
  return changes.map((c) => ({
    id: `cell:${c.cell}:${c.seq}:${c.at}`,
    topic: "surge.above" as const,
    market,
    at: c.at,
    cell: c.cell,
    fromTenths: c.fromTenths,
    toTenths: c.toTenths,
  }));
}

/**
 * A failure event as a notice for the markets it concerns: mode changes (`system` for every
 * market, `market:<id>` for one), emergencies declared, lifted or expired. Other failures are
 * not for subscribers. `markets` lists every market, for the system-wide ones.
 */
export function failureNotices(event: FailureEvent, markets: readonly string[]): Notice[] {
  if (event.kind === "mode") {
    // The platform's first reading of its modes: where they start, not a change ("back to normal").
    if ((event.detail as { first?: unknown }).first === true) return [];
    const targets = event.subject === "system" ? markets : event.subject.startsWith("market:") ? [event.subject.slice(7)] : [];
    return targets.map((market) => ({
      id: `failure:${event.id}:${market}`,
      topic: "system.mode" as const,
      market,
      at: event.at,
      status: event.status,
    }));
  }
  if (event.kind === "experiment") {
    const detail = event.detail as { market?: unknown; reason?: unknown };
    if (typeof detail.market !== "string") return [];
    return [
      {
        id: `failure:${event.id}`,
        topic: "experiment.guardrail",
        market: detail.market,
        at: event.at,
        status: event.status,
        subject: event.subject.replace(/^experiment:/, ""),
        ...(typeof detail.reason === "string" ? { reason: detail.reason.slice(0, 300) } : {}),
      },
    ];
  }
  if (event.kind === "override") {
    const detail = event.detail as { cap?: unknown; reason?: unknown };
    return [
      {
        id: `failure:${event.id}`,
        topic: "system.emergency",
        market: event.subject,
        at: event.at,
        status: event.status,
        ...(typeof detail.cap === "number" ? { cap: detail.cap } : {}),
        ...(typeof detail.reason === "string" ? { reason: detail.reason.slice(0, 200) } : {}),
      },
    ];
  }
  return [];
}

/**
 * A market's hotspots after a training of its forecast, as one notice (named by the model and
 * the time ranked, so the same publication received twice is one notice).
 */
export function hotspotNotice(m: HotspotsPublished): Notice {
  return {
    id: `hotspots:${m.modelId}:${m.at}`,
    topic: "hotspots",
    market: m.market,
    at: m.at,
    hotspots: m.cells,
    horizonMinutes: m.horizonMinutes,
  };
}

/** An outbox whose backlog crossed a mark (either way), as a notice for its market's operators. */
export function backlogNotice(m: BacklogChange): Notice {
  return {
    id: `backlog:${m.origin}:${m.at}:${m.status}`,
    topic: "system.backlog",
    market: m.market,
    at: m.at,
    status: m.status,
    subject: m.origin,
    pending: m.pending,
  };
}

/** The hotspots of a notice a subscription hears: all of them, or those in its area. */
export function hotspotsFor(s: Pick<StoredSubscription, "cells">, n: Notice): Hotspot[] {
  const all = n.hotspots ?? [];
  return s.cells.length === 0 ? all : all.filter((h) => s.cells.includes(h.cell));
}

/** Whether a subscription hears a notice at `now`. */
export function hears(s: StoredSubscription, n: Notice, now: number): boolean {
  if (!listening(s, now) || s.market !== n.market) return false;
  if (s.topic === "surge.above" || s.topic === "surge.below") {
    if (n.cell === undefined || n.fromTenths === undefined || n.toTenths === undefined || s.thresholdTenths === null)
      return false;
    return s.cells.includes(n.cell) && isCrossingFor(s.topic, s.thresholdTenths, n.fromTenths, n.toTenths);
  }
  if (s.topic === "hotspots") return n.topic === "hotspots" && hotspotsFor(s, n).length > 0;
  return s.topic === n.topic;
}

/**
 * What each zone must watch for a market's subscriptions: per zone, per cell, the thresholds
 * (tenths) of surge subscriptions there. `zoneOf` maps a cell to its zone.
 */
export function watchLists(
  subscriptions: Iterable<StoredSubscription>,
  zoneOf: (cell: string) => string,
  now: number,
): Map<string, Record<string, number[]>> {
  const zones = new Map<string, Record<string, number[]>>();
  for (const s of subscriptions) {
    if (!listening(s, now) || s.thresholdTenths === null) continue;
    for (const cell of s.cells) {
      const zone = zoneOf(cell);
      const cells = zones.get(zone) ?? {};
      const list = cells[cell] ?? [];
      if (!list.includes(s.thresholdTenths)) list.push(s.thresholdTenths);
      cells[cell] = list.sort((a, b) => a - b);
      zones.set(zone, cells);
    }
  }
  return zones;
}
