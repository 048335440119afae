import type { Geofence } from "./market";

/**
 * A geofence as plane geometry: GeoJSON positions `[lng, lat]` joined by straight lines in
 * longitude and latitude, which is how GeoJSON (RFC 7946 §3.1.1) and H3's `polygonToCells`
 * both read them. Pure: no I/O, no clock.
 *
 * - **Longitude wraps.** Every edge takes the shorter way round (as H3 reads an edge from 179°
 *   to −179°: 2° wide, across the antimeridian). Each polygon is unwrapped into one frame where
 *   its longitudes are continuous (they may pass 180°); a query tries the point's longitude
 *   and the same meridian ±360°. A MultiPolygon cut at the antimeridian (RFC 7946 §3.1.9)
 *   works as well: its parts meet along ±180°.
 * - **Inside** is decided by counting crossings of a ray running east, with half-open rules
 *   (a vertex on the ray counts as above it; an edge exactly at the point's longitude does not
 *   cross). A point on a border shared by two geofences is therefore inside exactly one of them.
 *   A polygon's points are those inside its outline and inside none of its holes.
 * - **Touching** is distance within `TOUCH` degrees (about a millimetre): neighbours drawn with
 *   the same coordinates along their shared border touch there, and rounding does not make them
 *   overlap.
 */

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Degrees (~1 mm): closer than this, a point is on a line. */
export const TOUCH = 1e-8;

/** A box in a polygon's frame: `minLng` lies in [−180, 180), `maxLng` may pass 180. */
export interface Box {
  minLng: number;
  maxLng: number;
  minLat: number;
  maxLat: number;
}

/** A point, where `overlap` found one. */
export interface LatLng {
  lat: number;
  lng: number;
}

/** The polygons of a geofence, as GeoJSON has them. */
export function geofencePolygons(geofence: Geofence): number[][][][] {
  return geofence.type === "Polygon" ? [geofence.coordinates] : geofence.coordinates;
}

/** How many positions a geofence has in all its rings. */
export function geofencePositions(geofence: Geofence): number {
  let n = 0;
  for (const polygon of geofencePolygons(geofence)) for (const ring of polygon) n += ring.length;
  return n;
}

/**
 * Edges of a polygon bucketed by latitude band, so that a point meets only the edges of its
 * band. Bands shrink when long edges would be listed in too many of them.
 */
interface BandIndex {
  bands: number;
  minLat: number;
  height: number;
  /** Edge ids of band b: `ids[start[b]] … ids[start[b + 1] − 1]`. */
  start: Uint32Array;
  ids: Uint32Array;
}

/**
 * One polygon of a geofence, unwrapped: its outline first, then its holes, each ring as
 * interleaved `x, y` (longitude, latitude) pairs, closed (the last pair repeats the first).
 */
export class Polygon {
  readonly rings: Float64Array[];
  readonly box: Box;
  /** Why this polygon cannot be read unambiguously (it circles a pole, or spans half the globe). */
  readonly problem: string | undefined;
  /** x1, y1, x2, y2 of every edge of every ring, and the ring each edge belongs to. */
  readonly edges: Float64Array;
  readonly ringOfEdge: Uint16Array;
  #index: BandIndex | undefined;
  #interior: { x: number; y: number } | null | undefined;
  readonly #parity: Uint8Array;

  constructor(coordinates: number[][][]) {
    const rings: Float64Array[] = [];
    let problem: string | undefined;
    coordinates.forEach((positions, i) => {
      const { xy, turns } = unwrap(positions);
      if (turns !== 0 && !problem) problem = `ring ${i} circles a pole`;
      rings.push(xy);
    });
    // The outline's frame: its west end in [−180, 180). Holes move by whole turns to sit inside it.
    const outline = rings[0] ?? new Float64Array();
    const west = minOf(outline, 0);
    const shift = -360 * Math.floor((west + 180) / 360);
    if (shift !== 0) moveBy(outline, shift);
    const middle = (minOf(outline, 0) + maxOf(outline, 0)) / 2;
    for (const hole of rings.slice(1)) {
      const turns = Math.round(((minOf(hole, 0) + maxOf(hole, 0)) / 2 - middle) / 360);
      if (turns !== 0) moveBy(hole, -360 * turns);
    }
    this.rings = rings;
    this.box = {
      minLng: Math.min(...rings.map((r) => minOf(r, 0))),
      maxLng: Math.max(...rings.map((r) => maxOf(r, 0))),
      minLat: Math.min(...rings.map((r) => minOf(r, 1))),
      maxLat: Math.max(...rings.map((r) => maxOf(r, 1))),
    };
    if (!problem && this.box.maxLng - this.box.minLng >= 180) problem = "it spans 180° of longitude or more";
    this.problem = problem;

    const count = rings.reduce((n, r) => n + Math.max(0, r.length / 2 - 1), 0);
    this.edges = new Float64Array(count * 4);
    this.ringOfEdge = new Uint16Array(count);
    let e = 0;
    rings.forEach((r, ring) => {
      for (let i = 0; i + 3 < r.length; i += 2) {
        this.edges.set([r[i] as number, r[i + 1] as number, r[i + 2] as number, r[i + 3] as number], e * 4);
        this.ringOfEdge[e] = ring;
        e++;
      }
    });
    this.#parity = new Uint8Array(rings.length);
  }

  /** Where the point's meridian falls in this polygon's frame, or NaN when outside its box. */
  frameLng(lng: number): number {
    const { minLng, maxLng } = this.box;
    const x = lng < minLng ? lng + 360 : lng > maxLng ? lng - 360 : lng;
    return x >= minLng && x <= maxLng ? x : Number.NaN;
  }

  /**
   * True when the point (in this polygon's frame) is inside: inside the outline, in no hole.
   * @example new Polygon([[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]).contains(1, 1) // true
   */
  contains(x: number, y: number): boolean {
    const { box } = this;
    if (!(y >= box.minLat && y <= box.maxLat && x >= box.minLng && x <= box.maxLng)) return false;
    const index = this.#bandIndex();
    const band = bandOf(index, y);
    const { edges, ringOfEdge } = this;
    const parity = this.#parity;
    parity.fill(0);
    for (let k = index.start[band] as number, end = index.start[band + 1] as number; k < end; k++) {
      const e = (index.ids[k] as number) * 4;
      const y1 = edges[e + 1] as number;
      const y2 = edges[e + 3] as number;
      if (y1 > y === y2 > y) continue;
      const x1 = edges[e] as number;
      const x2 = edges[e + 2] as number;
      if (x1 + ((y - y1) * (x2 - x1)) / (y2 - y1) > x) {
        const ring = ringOfEdge[e / 4] as number;
        parity[ring] = (parity[ring] as number) ^ 1;
      }
    }
    if (parity[0] !== 1) return false;
    for (let r = 1; r < parity.length; r++) if (parity[r] === 1) return false;
    return true;
  }

  /** True when the point (in this polygon's frame) lies within `TOUCH` of one of its rings. */
  onOutline(x: number, y: number): boolean {
    let on = false;
    this.edgesNear({ minLng: x - TOUCH, maxLng: x + TOUCH, minLat: y - TOUCH, maxLat: y + TOUCH }, (e) => {
      const { edges } = this;
      if (
        pointSegmentDistance(x, y, edges[e] as number, edges[e + 1] as number, edges[e + 2] as number, edges[e + 3] as number) <=
        TOUCH
      )
        on = true;
      return on;
    });
    return on;
  }

  /**
   * Calls `visit` with the offset (into `edges`) of each edge whose box meets `near` (in this
   * polygon's frame), each at most once, until `visit` returns true.
   */
  edgesNear(near: Box, visit: (offset: number) => boolean | undefined): void {
    const { box, edges } = this;
    if (near.maxLat < box.minLat || near.minLat > box.maxLat || near.maxLng < box.minLng || near.minLng > box.maxLng) return;
    const index = this.#bandIndex();
    const first = bandOf(index, near.minLat);
    const last = bandOf(index, near.maxLat);
    for (let b = first; b <= last; b++) {
      for (let k = index.start[b] as number, end = index.start[b + 1] as number; k < end; k++) {
        const e = (index.ids[k] as number) * 4;
        const y1 = edges[e + 1] as number;
        const y2 = edges[e + 3] as number;
        // An edge spanning several bands is listed in each: visit it in the first band it shares with `near`.
        if (Math.max(first, bandOf(index, Math.min(y1, y2))) !== b) continue;
        const x1 = edges[e] as number;
        const x2 = edges[e + 2] as number;
        if (Math.max(x1, x2) < near.minLng || Math.min(x1, x2) > near.maxLng) continue;
        if (Math.max(y1, y2) < near.minLat || Math.min(y1, y2) > near.maxLat) continue;
        if (visit(e)) return;
      }
    }
  }

  /**
   * A point strictly inside the polygon (away from every ring), or undefined when it has no
   * area: the middle of the widest inside stretch of a line of latitude through it.
   */
  interiorPoint(): { x: number; y: number } | undefined {
    if (this.#interior === undefined) this.#interior = this.#findInteriorPoint() ?? null;
    return this.#interior ?? undefined;
  }

  #findInteriorPoint(): { x: number; y: number } | undefined {
    const { box, edges } = this;
    const ys = new Set<number>();
    for (let e = 0; e < edges.length; e += 4) ys.add(edges[e + 1] as number);
    for (const f of [0.5, 0.382, 0.618, 0.25, 0.75, 0.1, 0.9, 0.3, 0.7]) {
      const y = box.minLat + (box.maxLat - box.minLat) * f;
      if (ys.has(y)) continue;
      const xs: number[] = [];
      for (let e = 0; e < edges.length; e += 4) {
        const [x1, y1, x2, y2] = [edges[e] as number, edges[e + 1] as number, edges[e + 2] as number, edges[e + 3] as number];
        if (y1 > y !== y2 > y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
      }
      xs.sort((a, b) => a - b);
      let best: { x: number; y: number; width: number } | undefined;
      for (let i = 0; i + 1 < xs.length; i++) {
        const x = ((xs[i] as number) + (xs[i + 1] as number)) / 2;
        const width = (xs[i + 1] as number) - (xs[i] as number);
        if (width > 2 * TOUCH && (!best || width > best.width) && this.contains(x, y) && !this.onOutline(x, y))
          best = { x, y, width };
      }
      if (best) return { x: best.x, y: best.y };
    }
    return undefined;
  }

  #bandIndex(): BandIndex {
    this.#index ??= bandIndex(this.edges, this.box);
    return this.#index;
  }
}

/**
 * A geofence ready for questions: which points it holds, its area and outline, whether it
 * overlaps another. Build once per geofence; lookups are cheap.
 */
export class Region {
  readonly polygons: Polygon[];

  constructor(readonly geofence: Geofence) {
    this.polygons = geofencePolygons(geofence).map((p) => new Polygon(p));
  }

  /** Why the geofence cannot be read unambiguously, if it cannot. */
  get problem(): string | undefined {
    for (const [i, p] of this.polygons.entries()) if (p.problem) return `polygon ${i}: ${p.problem}`;
    return undefined;
  }

  /**
   * True when the point is inside the geofence (in any of its polygons).
   * @example new Region({ type: "Polygon", coordinates: [[[179, 0], [-179, 0], [-179, 1], [179, 1], [179, 0]]] }).contains(0.5, 180) // true
   */
  contains(lat: number, lng: number): boolean {
    for (const p of this.polygons) {
      const x = p.frameLng(lng);
      if (!Number.isNaN(x) && p.contains(x, lat)) return true;
    }
    return false;
  }

  /** Area in km² on a sphere of the Earth's mean radius, exact for edges straight in longitude and latitude. */
  get areaKm2(): number {
    let steradians = 0;
    for (const p of this.polygons) {
      const [outline = new Float64Array(), ...holes] = p.rings;
      steradians += Math.max(0, Math.abs(ringArea(outline)) - holes.reduce((s, h) => s + Math.abs(ringArea(h)), 0));
    }
    return steradians * EARTH_RADIUS_KM * EARTH_RADIUS_KM;
  }

  /** Length of every ring, in km (edges measured as great circles: a close estimate for short edges). */
  get perimeterKm(): number {
    let km = 0;
    for (const p of this.polygons) {
      const { edges } = p;
      for (let e = 0; e < edges.length; e += 4)
        km += greatCircleKm(edges[e + 1] as number, edges[e] as number, edges[e + 3] as number, edges[e + 2] as number);
    }
    return km;
  }
}

/**
 * A point where two geofences' areas overlap, or undefined when they don't (sharing a border,
 * or touching at a point, is not overlapping). Exact for valid polygons: their areas overlap
 * exactly when two edges cross properly, or a piece of one's outline runs inside the other, or
 * one polygon lies wholly inside the other; boxes skip what is far apart.
 *
 * @example overlap(manhattan, brooklyn) // undefined: they meet along the East River
 */
export function overlap(a: Region, b: Region): LatLng | undefined {
  for (const p of a.polygons) {
    for (const q of b.polygons) {
      const shift = frameShift(p.box, q.box);
      if (shift === undefined) continue;
      const at =
        crossingOrInside(p, q, shift) ??
        crossingOrInside(q, p, -shift) ??
        insideOf(p.interiorPoint(), q, shift) ??
        insideOf(q.interiorPoint(), p, -shift);
      if (at) return { lat: at.y, lng: ((((at.x + 180) % 360) + 360) % 360) - 180 };
    }
  }
  return undefined;
}

/** What to add to q's longitudes to bring it into p's frame, or undefined when their boxes are apart. */
function frameShift(p: Box, q: Box): number | undefined {
  if (q.maxLat < p.minLat || q.minLat > p.maxLat) return undefined;
  for (const s of [0, 360, -360]) if (q.maxLng + s >= p.minLng && q.minLng + s <= p.maxLng) return s;
  return undefined;
}

/** The point, in p's frame, when it lies strictly inside q (whose frame is p's minus `shift`). */
function insideOf(at: { x: number; y: number } | undefined, q: Polygon, shift: number) {
  if (!at) return undefined;
  const x = at.x - shift;
  return q.contains(x, at.y) && !q.onOutline(x, at.y) ? at : undefined;
}

/**
 * A proper crossing of an edge of p with an edge of q, or a piece of p's outline strictly
 * inside q. p's edges are cut where q's vertices touch them; each piece is then wholly inside,
 * outside or on q, so its middle tells.
 */
function crossingOrInside(p: Polygon, q: Polygon, shift: number): { x: number; y: number } | undefined {
  const { edges } = p;
  const qe = q.edges;
  for (let e = 0; e < edges.length; e += 4) {
    const ax = edges[e] as number;
    const ay = edges[e + 1] as number;
    const bx = edges[e + 2] as number;
    const by = edges[e + 3] as number;
    const cuts = [0, 1];
    let crossing: { x: number; y: number } | undefined;
    const near = {
      minLng: Math.min(ax, bx) - shift - TOUCH,
      maxLng: Math.max(ax, bx) - shift + TOUCH,
      minLat: Math.min(ay, by) - TOUCH,
      maxLat: Math.max(ay, by) + TOUCH,
    };
    q.edgesNear(near, (f) => {
      const cx = (qe[f] as number) + shift;
      const cy = qe[f + 1] as number;
      const dx = (qe[f + 2] as number) + shift;
      const dy = qe[f + 3] as number;
      const o1 = side(ax, ay, bx, by, cx, cy);
      const o2 = side(ax, ay, bx, by, dx, dy);
      const o3 = side(cx, cy, dx, dy, ax, ay);
      const o4 = side(cx, cy, dx, dy, bx, by);
      if (o1 * o2 < 0 && o3 * o4 < 0) {
        const t = o1 / (o1 - o2);
        crossing = { x: cx + t * (dx - cx), y: cy + t * (dy - cy) };
        return true;
      }
      if (o1 === 0) cuts.push(along(ax, ay, bx, by, cx, cy));
      if (o2 === 0) cuts.push(along(ax, ay, bx, by, dx, dy));
      return false;
    });
    if (crossing) return crossing;
    cuts.sort((s, t) => s - t);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const s = cuts[i] as number;
      const t = cuts[i + 1] as number;
      if (t - s < 1e-12) continue;
      const m = (s + t) / 2;
      const at = insideOf({ x: ax + m * (bx - ax), y: ay + m * (by - ay) }, q, shift);
      if (at) return at;
    }
  }
  return undefined;
}

/** Signed distance of c from the line a→b (positive to the left), 0 when within TOUCH of it. */
function side(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const length = Math.hypot(bx - ax, by - ay);
  if (length === 0) return Math.max(TOUCH * 2, Math.hypot(cx - ax, cy - ay));
  const distance = ((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / length;
  return Math.abs(distance) <= TOUCH ? 0 : distance;
}

/** Where the projection of c falls along a→b, as a fraction clamped to [0, 1]. */
function along(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  if (length2 === 0) return 0;
  return Math.min(1, Math.max(0, ((cx - ax) * dx + (cy - ay) * dy) / length2));
}

/** Distance from a point to a segment, in the plane's own units. */
export function pointSegmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const t = along(ax, ay, bx, by, px, py);
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

/** Distance between two segments in the plane (0 when they meet). */
export function segmentDistance(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): number {
  const d1 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  const d2 = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax);
  const d3 = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx);
  const d4 = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 0;
  return Math.min(
    pointSegmentDistance(ax, ay, cx, cy, dx, dy),
    pointSegmentDistance(bx, by, cx, cy, dx, dy),
    pointSegmentDistance(cx, cy, ax, ay, bx, by),
    pointSegmentDistance(dx, dy, ax, ay, bx, by),
  );
}

/** Great-circle distance in km between two points given as degrees. */
export function greatCircleKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const s = Math.sin(((lat2 - lat1) * RAD) / 2);
  const t = Math.sin(((lng2 - lng1) * RAD) / 2);
  const h = s * s + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * t * t;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Longitudes made continuous along a ring, each step the shorter way round; `turns` counts how
 * often the ring went round the globe (non-zero only around a pole).
 */
function unwrap(positions: number[][]): { xy: Float64Array; turns: number } {
  const xy = new Float64Array(positions.length * 2);
  let x = 0;
  let previous = 0;
  positions.forEach(([lng = 0, lat = 0], i) => {
    if (i === 0) x = lng;
    else {
      let step = lng - previous;
      if (step > 180) step -= 360;
      else if (step < -180) step += 360;
      x += step;
    }
    previous = lng;
    xy[2 * i] = x;
    xy[2 * i + 1] = lat;
  });
  const turns = positions.length > 1 ? Math.round(((xy[xy.length - 2] as number) - (xy[0] as number)) / 360) : 0;
  return { xy, turns };
}

/**
 * Where a polygon's rings cross themselves or each other: a proper crossing of two edges that do
 * not share a vertex, with the rings involved (the same ring twice when it crosses itself).
 * Touching (a hole meeting its outline at a point) is not crossing.
 *
 * @example selfCrossing(new Polygon([[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]])) // { ring: 0, other: 0, x: 1, y: 1 }
 */
export function selfCrossing(p: Polygon): { ring: number; other: number; x: number; y: number } | undefined {
  const { edges, ringOfEdge } = p;
  const count = edges.length / 4;
  const firstOf = new Map<number, number>();
  const lastOf = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const ring = ringOfEdge[i] as number;
    if (!firstOf.has(ring)) firstOf.set(ring, i);
    lastOf.set(ring, i);
  }
  const adjacent = (i: number, j: number) => {
    if (ringOfEdge[i] !== ringOfEdge[j]) return false;
    const ring = ringOfEdge[i] as number;
    const [lo, hi] = i < j ? [i, j] : [j, i];
    return hi - lo === 1 || (lo === firstOf.get(ring) && hi === lastOf.get(ring));
  };
  let found: { ring: number; other: number; x: number; y: number } | undefined;
  for (let i = 0; i < count && !found; i++) {
    const e = i * 4;
    const ax = edges[e] as number;
    const ay = edges[e + 1] as number;
    const bx = edges[e + 2] as number;
    const by = edges[e + 3] as number;
    const near = { minLng: Math.min(ax, bx), maxLng: Math.max(ax, bx), minLat: Math.min(ay, by), maxLat: Math.max(ay, by) };
    p.edgesNear(near, (f) => {
      const j = f / 4;
      if (j <= i || adjacent(i, j)) return false;
      const cx = edges[f] as number;
      const cy = edges[f + 1] as number;
      const dx = edges[f + 2] as number;
      const dy = edges[f + 3] as number;
      const o1 = side(ax, ay, bx, by, cx, cy);
      const o2 = side(ax, ay, bx, by, dx, dy);
      const o3 = side(cx, cy, dx, dy, ax, ay);
      const o4 = side(cx, cy, dx, dy, bx, by);
      if (!(o1 * o2 < 0 && o3 * o4 < 0)) return false;
      const t = o1 / (o1 - o2);
      found = { ring: ringOfEdge[i] as number, other: ringOfEdge[j] as number, x: cx + t * (dx - cx), y: cy + t * (dy - cy) };
      return true;
    });
  }
  return found;
}

/** Signed area of each of a polygon's rings in steradians, positive counter-clockwise (as `ringArea`). */
export function ringAreas(p: Polygon): number[] {
  return p.rings.map(ringArea);
}

/**
 * Signed area of a ring in steradians (positive counter-clockwise): Green's theorem gives
 * A = −∮ sin φ dλ, and along an edge straight in (λ, φ) the mean of sin φ is
 * (cos φ₁ − cos φ₂) / (φ₂ − φ₁).
 */
function ringArea(xy: Float64Array): number {
  let sum = 0;
  for (let i = 0; i + 3 < xy.length; i += 2) {
    const l1 = (xy[i] as number) * RAD;
    const p1 = (xy[i + 1] as number) * RAD;
    const l2 = (xy[i + 2] as number) * RAD;
    const p2 = (xy[i + 3] as number) * RAD;
    const meanSin = Math.abs(p2 - p1) < 1e-12 ? Math.sin(p1) : (Math.cos(p1) - Math.cos(p2)) / (p2 - p1);
    sum -= (l2 - l1) * meanSin;
  }
  return sum;
}

function bandIndex(edges: Float64Array, box: Box): BandIndex {
  const count = edges.length / 4;
  const span = box.maxLat - box.minLat;
  const lows = new Float64Array(count);
  const highs = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    lows[i] = Math.min(edges[4 * i + 1] as number, edges[4 * i + 3] as number);
    highs[i] = Math.max(edges[4 * i + 1] as number, edges[4 * i + 3] as number);
  }
  // About one band per edge, fewer while long edges would be listed more than ~8 times on average.
  let bands = Math.max(1, Math.min(4096, count));
  const entries = (n: number) => {
    let total = 0;
    const height = span / n || 1;
    for (let i = 0; i < count; i++) {
      const first = Math.min(n - 1, Math.floor(((lows[i] as number) - box.minLat) / height));
      const last = Math.min(n - 1, Math.floor(((highs[i] as number) - box.minLat) / height));
      total += last - first + 1;
    }
    return total;
  };
  while (bands > 1 && entries(bands) > 8 * count + bands) bands = Math.floor(bands / 2);
  const index: BandIndex = {
    bands,
    minLat: box.minLat,
    height: span / bands || 1,
    start: new Uint32Array(bands + 1),
    ids: new Uint32Array(0),
  };
  const counts = new Uint32Array(bands);
  for (let i = 0; i < count; i++) {
    for (let b = bandOf(index, lows[i] as number), last = bandOf(index, highs[i] as number); b <= last; b++)
      counts[b] = (counts[b] as number) + 1;
  }
  for (let b = 0; b < bands; b++) index.start[b + 1] = (index.start[b] as number) + (counts[b] as number);
  index.ids = new Uint32Array(index.start[bands] as number);
  const fill = index.start.slice(0, bands);
  for (let i = 0; i < count; i++) {
    for (let b = bandOf(index, lows[i] as number), last = bandOf(index, highs[i] as number); b <= last; b++) {
      index.ids[fill[b] as number] = i;
      fill[b] = (fill[b] as number) + 1;
    }
  }
  return index;
}

function bandOf(index: BandIndex, lat: number): number {
  const b = Math.floor((lat - index.minLat) / index.height);
  return b < 0 ? 0 : b >= index.bands ? index.bands - 1 : b;
}

function minOf(xy: Float64Array, offset: 0 | 1): number {
  let m = Number.POSITIVE_INFINITY;
  for (let i = offset; i < xy.length; i += 2) m = Math.min(m, xy[i] as number);
  return m;
}

function maxOf(xy: Float64Array, offset: 0 | 1): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = offset; i < xy.length; i += 2) m = Math.max(m, xy[i] as number);
  return m;
}

function moveBy(xy: Float64Array, dx: number): void {
  for (let i = 0; i < xy.length; i += 2) xy[i] = (xy[i] as number) + dx;
}
