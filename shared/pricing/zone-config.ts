import type { Market, SurgeSettings } from "./market";
import { geofenceCells, neighbourRings, zoneOf } from "./zoning";

/** Which market (and which version of its settings) a call to a zone speaks for. */
export interface MarketRef {
  id: string;
  version: number;
}

/** What a zone needs of its market: its own cells, its borders, its surge settings. */
export interface ZoneConfig {
  market: MarketRef;
  zone: string;
  /** The coverage rule the cells were computed with (see `zoning.ts`): a new rule reconfigures every zone. */
  coverage: number;
  cells: string[];
  /** For each neighbour zone: our cells within its reach, whose balances it pools. */
  borders: Record<string, string[]>;
  surge: SurgeSettings;
}

/** An operator's emergency cap as a zone holds it. */
export interface EmergencyCap {
  cap: number;
  /** Cells covered; null for the whole market. */
  cells: string[] | null;
  until: number;
}

/**
 * A zone's configuration from its market: the market's cells that fall in the zone and, for
 * each neighbouring zone, the cells it must hear about to pool neighbours across the border.
 */
export function zoneConfig(market: Market, zone: string, coverage: number): ZoneConfig {
  const marketCells = new Set(geofenceCells(market.geofence, market.resolution));
  const own = [...marketCells].filter((c) => zoneOf(c, market.zoneResolution) === zone);
  const ownSet = new Set(own);
  const borders: Record<string, Set<string>> = {};
  for (const cell of own) {
    for (const ring of neighbourRings(cell, market.surge.neighbourRings).slice(1)) {
      for (const other of ring) {
        if (ownSet.has(other) || !marketCells.has(other)) continue;
        const otherZone = zoneOf(other, market.zoneResolution);
        const set = borders[otherZone] ?? new Set<string>();
        set.add(cell);
        borders[otherZone] = set;
      }
    }
  }
  return {
    market: { id: market.id, version: market.version },
    zone,
    coverage,
    cells: own,
    borders: Object.fromEntries(Object.entries(borders).map(([z, s]) => [z, [...s]])),
    surge: market.surge,
  };
}
