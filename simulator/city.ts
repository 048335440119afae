import { cellToLatLng, getHexagonEdgeLengthAvg, gridDisk, latLngToCell, UNITS } from "h3-js";
import { Region } from "../shared/pricing/geofence";
import type { Geofence } from "../shared/pricing/market";
import { greatCircleMeters, type LatLng } from "../shared/pricing/trip";
import { geofenceCells } from "../shared/pricing/zoning";
import type { Random } from "./random";

/**
 * A market's geography as the simulator sees it: its pricing cells, where a point falls, which
 * cells are near which, and where riders come from and go to. Built from the market the
 * platform serves, so the simulator's cells are the platform's cells.
 */

export interface MarketShape {
  geofence: Geofence;
  resolution: number;
}

/** Venues the demo markets are known for; any other market's venue is its most central cell. */
const KNOWN_VENUES: ReadonlyArray<{ name: string } & LatLng> = [
  { name: "Madison Square Garden", lat: 40.7505, lng: -73.9934 },
  { name: "Saigon Opera House", lat: 10.7766, lng: 106.7031 },
];

const KM_PER_DEGREE = 111.195;

export class City {
  readonly resolution: number;
  readonly cells: readonly string[];
  readonly #cellSet: ReadonlySet<string>;
  readonly #region: Region;
  readonly #centres = new Map<string, LatLng>();
  readonly #disks = new Map<string, string[]>();
  /** Jitter that keeps a point inside its hexagon: a third of the edge, in km. */
  readonly #jitterKm: number;

  constructor(shape: MarketShape) {
    this.resolution = shape.resolution;
    this.#region = new Region(shape.geofence);
    // People start in the cells whose centre is in the geofence: a border cell's centre may lie
    // outside it, where the platform serves nobody. Sorted so the city, and every draw over its
    // cells, is the same whatever order H3 returns.
    this.cells = geofenceCells(shape.geofence, shape.resolution)
      .filter((cell) => {
        const [lat, lng] = cellToLatLng(cell);
        return this.#region.contains(lat, lng);
      })
      .sort();
    if (this.cells.length === 0) throw new Error("the market has no cells");
    this.#cellSet = new Set(this.cells);
    this.#jitterKm = getHexagonEdgeLengthAvg(shape.resolution, UNITS.km) / 3;
  }

  has(cell: string): boolean {
    return this.#cellSet.has(cell);
  }

  centre(cell: string): LatLng {
    let c = this.#centres.get(cell);
    if (!c) {
      const [lat, lng] = cellToLatLng(cell);
      c = { lat, lng };
      this.#centres.set(cell, c);
    }
    return c;
  }

  /** The market cell a point falls in, or undefined outside the market (or in a cell people don't start from). */
  cellOf(point: LatLng): string | undefined {
    const cell = latLngToCell(point.lat, point.lng, this.resolution);
    return this.#cellSet.has(cell) && this.#region.contains(point.lat, point.lng) ? cell : undefined;
  }

  /** The market's cells within `rings` steps of a cell (the cell first), sorted after it. */
  near(cell: string, rings: number): readonly string[] {
    const key = `${cell}/${rings}`;
    let disk = this.#disks.get(key);
    if (!disk) {
      const others = gridDisk(cell, rings)
        .filter((c) => c !== cell && this.#cellSet.has(c))
        .sort();
      disk = [cell, ...others];
      this.#disks.set(key, disk);
    }
    return disk;
  }

  /**
   * The venue of a stadium scenario: its cell and the ring around it (the crowd leaves on foot
   * in every direction), limited to the market.
   */
  venue(at?: LatLng): { name: string; point: LatLng; cells: string[] } {
    const chosen = at
      ? { name: `${at.lat},${at.lng}`, ...at }
      : (KNOWN_VENUES.find((v) => this.cellOf(v)) ?? { name: "the market's centre", ...this.#middle() });
    const cell = this.cellOf(chosen);
    if (!cell) throw new Error(`the venue ${chosen.name} is outside the market`);
    return { name: chosen.name, point: { lat: chosen.lat, lng: chosen.lng }, cells: [...this.near(cell, 1)] };
  }

  /** A point in a cell, spread around its centre so pickups in one cell are not all one spot. */
  pointIn(cell: string, random: Random): LatLng {
    const c = this.centre(cell);
    const p = offset(c, this.#jitterKm * Math.sqrt(random.next()), 2 * Math.PI * random.next());
    return this.cellOf(p) === cell ? p : c;
  }

  /**
   * A trip's destination: a distance drawn around `meanKm` (Gamma(2): few very short or very
   * long trips) in a random direction, kept inside the market.
   */
  destination(from: LatLng, meanKm: number, random: Random): LatLng {
    for (let attempt = 0; attempt < 12; attempt++) {
      const km = Math.max(0.4, (meanKm * random.gamma2()) / 2);
      const p = offset(from, km, 2 * Math.PI * random.next());
      if (this.cellOf(p)) return p;
    }
    // A narrow market (an island) can refuse many directions: fall back to any of its cells.
    return this.centre(this.cells[random.int(this.cells.length)] ?? this.cells[0] ?? "");
  }

  #middle(): LatLng {
    let lat = 0;
    let lng = 0;
    for (const cell of this.cells) {
      const c = this.centre(cell);
      lat += c.lat / this.cells.length;
      lng += c.lng / this.cells.length;
    }
    let best = this.cells[0] ?? "";
    for (const cell of this.cells) {
      if (greatCircleMeters(this.centre(cell), { lat, lng }) < greatCircleMeters(this.centre(best), { lat, lng })) best = cell;
    }
    return this.centre(best);
  }
}

/** The point `km` away from `from` on bearing `radians` (flat-earth: trips are a few km). */
export function offset(from: LatLng, km: number, radians: number): LatLng {
  const lat = from.lat + (km * Math.cos(radians)) / KM_PER_DEGREE;
  const lng = from.lng + (km * Math.sin(radians)) / (KM_PER_DEGREE * Math.cos((from.lat * Math.PI) / 180));
  return { lat, lng: ((((lng + 180) % 360) + 360) % 360) - 180 };
}

/** The point a share `t` of the way from `a` to `b`. */
export function between(a: LatLng, b: LatLng, t: number): LatLng {
  const s = Math.max(0, Math.min(1, t));
  return { lat: a.lat + (b.lat - a.lat) * s, lng: a.lng + (b.lng - a.lng) * s };
}
