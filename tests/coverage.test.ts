import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { cellToLatLng, getHexagonEdgeLengthAvg, latLngToCell, polygonToCells } from "h3-js";
import { overlap, Region } from "../shared/pricing/geofence";
import type { Geofence, Market } from "../shared/pricing/market";
import {
  coverage,
  estimateCells,
  geofenceRefusal,
  MAX_GEOFENCE_POSITIONS,
  MarketIndex,
  overlappingMarket,
} from "../shared/pricing/zoning";

/**
 * A market covers every point of its geofence and nothing outside it: random polygons (convex
 * and concave, with holes, across the antimeridian, at high latitude) at every resolution,
 * random points in and around them, each checked against a point-in-polygon test written
 * here, independently of `shared/geofence.ts`, in the plane the shape was drawn in.
 */

const KM_PER_DEGREE = (6371.0088 * Math.PI) / 180;

/** A shape drawn in a plane of km east and km north of a centre, then placed on the globe. */
interface Shape {
  lat0: number;
  lng0: number;
  /** Outline first, then holes; each an open list of [km east, km north]. */
  rings: Array<Array<[number, number]>>;
}

/** The shape as GeoJSON: longitudes wrapped into [−180, 180], so edges near the antimeridian jump as H3 expects. */
function geofenceOf(shapes: Shape[]): Geofence {
  const polygons = shapes.map((s) =>
    s.rings.map((ring) => {
      const positions = ring.map(([x, y]) => {
        const p = toLatLng(s, x, y);
        return [p.lng, p.lat];
      });
      return [...positions, positions[0] as number[]];
    }),
  );
  return polygons.length === 1
    ? { type: "Polygon", coordinates: polygons[0] as number[][][] }
    : { type: "MultiPolygon", coordinates: polygons };
}

function toLatLng(s: Shape, x: number, y: number) {
  const lat = s.lat0 + y / KM_PER_DEGREE;
  const lng = s.lng0 + x / (KM_PER_DEGREE * Math.cos((s.lat0 * Math.PI) / 180));
  return { lat, lng: ((((lng + 180) % 360) + 360) % 360) - 180 };
}

/** Inside the outline and no hole, by crossings of a ray, in the drawing plane (the reference). */
function insideReference(s: Shape, x: number, y: number): boolean {
  const crossings = (ring: Array<[number, number]>) => {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as [number, number];
      const [xj, yj] = ring[j] as [number, number];
      if (yi > y !== yj > y && x < xj + ((y - yj) * (xi - xj)) / (yi - yj)) inside = !inside;
    }
    return inside;
  };
  const [outline, ...holes] = s.rings;
  return crossings(outline ?? []) && !holes.some(crossings);
}

/** Distance in the drawing plane from a point to the nearest ring, in km. */
function distanceToOutline(s: Shape, x: number, y: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const ring of s.rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [ax, ay] = ring[j] as [number, number];
      const [bx, by] = ring[i] as [number, number];
      const dx = bx - ax;
      const dy = by - ay;
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
      best = Math.min(best, Math.hypot(x - ax - t * dx, y - ay - t * dy));
    }
  }
  return best;
}

/** A ring with vertices at the given angles (turns), each at its own share of the radius (all 1: convex). */
function starRing(radiusKm: number, angles: number[], shares: number[], rotate: number): Array<[number, number]> {
  return angles.map((a, i) => {
    const r = radiusKm * (shares[i] ?? 1);
    const t = a * 2 * Math.PI + rotate;
    return [r * Math.cos(t), r * Math.sin(t)];
  });
}

function market(id: string, geofence: Geofence, resolution: number): Market {
  return {
    id,
    version: 1,
    updatedAt: "2026-01-01T00:00:00.000Z",
    name: id,
    currency: "USD",
    timezone: "UTC",
    locale: "en",
    geofence,
    resolution,
    zoneResolution: resolution - 2,
    products: [],
    surge: {} as Market["surge"],
    trip: { detourFactor: 1.3, speedKmh: 25 },
    quoteTtlSeconds: 300,
    cellCount: 0,
    zoneCount: 0,
  };
}

/** A small seeded generator, so each fast-check run is reproducible from its seed. */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const edgeKm = (resolution: number) => getHexagonEdgeLengthAvg(resolution, "km");

/** Where a shape sits: anywhere mid-latitude, at high latitude, or across the antimeridian. */
const placeArb = fc.oneof(
  fc.record({ lat0: fc.double({ min: -60, max: 60, noNaN: true }), lng0: fc.double({ min: -179, max: 179, noNaN: true }) }),
  fc.record({
    lat0: fc.oneof(fc.double({ min: 60, max: 80, noNaN: true }), fc.double({ min: -80, max: -60, noNaN: true })),
    lng0: fc.double({ min: -180, max: 180, noNaN: true }),
  }),
  fc.record({ lat0: fc.double({ min: -70, max: 70, noNaN: true }), lng0: fc.double({ min: 179.5, max: 180.5, noNaN: true }) }),
);

/** A star polygon of 0.3–10 cells' radius, convex or concave, with or without a hole. */
const shapeArb = fc
  .record({
    place: placeArb,
    resolution: fc.integer({ min: 5, max: 10 }),
    cells: fc.double({ min: 0.3, max: 10, noNaN: true }),
    gaps: fc.array(fc.double({ min: 1, max: 1.8, noNaN: true }), { minLength: 3, maxLength: 14 }),
    convex: fc.boolean(),
    shares: fc.array(fc.double({ min: 0.35, max: 1, noNaN: true }), { minLength: 14, maxLength: 14 }),
    rotate: fc.double({ min: 0, max: 6.283, noNaN: true }),
    hole: fc.option(
      fc.record({
        share: fc.double({ min: 0.05, max: 0.15, noNaN: true }),
        gaps: fc.array(fc.double({ min: 1, max: 1.8, noNaN: true }), { minLength: 3, maxLength: 8 }),
      }),
    ),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .map((g) => {
    const radius = g.cells * edgeKm(g.resolution);
    const outline = starRing(radius, anglesOf(g.gaps), g.convex ? [] : g.shares, g.rotate);
    const rings = [outline];
    if (g.hole) {
      // A hole inside the largest circle around the centre that the outline leaves free.
      const free = Math.min(
        ...outline.map((a, i) => segmentDistanceFromCentre(a, outline[(i + 1) % outline.length] as [number, number])),
      );
      rings.push(starRing(free * g.hole.share * 6, anglesOf(g.hole.gaps), [], 0).reverse());
    }
    return { shape: { ...g.place, rings } as Shape, resolution: g.resolution, seed: g.seed, radius };
  });

/**
 * Angles (in turns) between which the gaps have the given weights. Weights within 1–1.8 and at
 * least three of them leave no gap of half a turn: a ring through them is star-shaped around
 * its centre, so simple.
 */
function anglesOf(gaps: number[]): number[] {
  const total = gaps.reduce((s, g) => s + g, 0);
  let at = 0;
  return gaps.map((g) => {
    const angle = at / total;
    at += g;
    return angle;
  });
}

function segmentDistanceFromCentre([ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, (-ax * dx - ay * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(ax + t * dx, ay + t * dy);
}

describe("a market covers every point of its geofence", () => {
  test("random polygons: every point inside resolves to the market; no point outside does", () => {
    let far = 0;
    let inside = 0;
    fc.assert(
      fc.property(shapeArb, ({ shape, resolution, seed, radius }) => {
        const index = new MarketIndex([market("m", geofenceOf([shape]), resolution)]);
        const rnd = random(seed);
        const reach = radius + 6 * edgeKm(resolution);
        for (let i = 0; i < 300; i++) {
          // Half the points in the shape's circle, half around it out to six cell edges.
          const r = i % 2 === 0 ? radius : reach;
          const x = (rnd() * 2 - 1) * r;
          const y = (rnd() * 2 - 1) * r;
          const d = distanceToOutline(shape, x, y);
          if (d < 1e-6) continue; // within a millimetre of the outline: either answer is right
          const { lat, lng } = toLatLng(shape, x, y);
          const found = index.locate(lat, lng);
          if (insideReference(shape, x, y)) {
            inside++;
            if (found?.market.id !== "m") throw new Error(`inside point ${lat},${lng} (${d} km in) not located`);
          } else {
            if (d > 4 * edgeKm(resolution)) far++;
            if (found) throw new Error(`outside point ${lat},${lng} (${d} km out) located in ${found.cell}`);
          }
        }
      }),
      { numRuns: 400 },
    );
    expect(inside).toBeGreaterThan(5_000);
    expect(far).toBeGreaterThan(5_000);
  });

  test("a geofence cut at the antimeridian (RFC 7946) covers both sides and the seam", () => {
    fc.assert(
      fc.property(
        fc.record({
          lat: fc.double({ min: -75, max: 75, noNaN: true }),
          west: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
          east: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
          height: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
          resolution: fc.integer({ min: 6, max: 9 }),
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        }),
        ({ lat, west, east, height, resolution, seed }) => {
          const box = (a: number, b: number) => [
            [
              [a, lat],
              [b, lat],
              [b, lat + height],
              [a, lat + height],
              [a, lat],
            ],
          ];
          const geofence: Geofence = { type: "MultiPolygon", coordinates: [box(180 - west, 180), box(-180, -180 + east)] };
          const index = new MarketIndex([market("m", geofence, resolution)]);
          const rnd = random(seed);
          for (let i = 0; i < 200; i++) {
            const x = -west - 0.2 + rnd() * (west + east + 0.4); // degrees east of the antimeridian
            const y = lat - 0.1 + rnd() * (height + 0.2);
            const lng = x < 0 ? 180 + x : -180 + x;
            const within = x > -west && x < east && y > lat && y < lat + height;
            const edge = Math.min(Math.abs(x + west), Math.abs(x - east), Math.abs(y - lat), Math.abs(y - lat - height));
            if (edge < 1e-9) continue;
            expect(index.locate(y, lng)?.market.id).toBe(within ? "m" : (undefined as unknown as string));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("cells without the outline near are wholly inside; the estimate never undercounts its lower bound", () => {
    fc.assert(
      fc.property(shapeArb, ({ shape, resolution }) => {
        const geofence = geofenceOf([shape]);
        const { cells, border } = coverage(geofence, resolution);
        const region = new Region(geofence);
        for (const cell of cells) {
          if (border.has(cell)) continue;
          const [lat, lng] = cellToLatLng(cell);
          if (!region.contains(lat, lng)) throw new Error(`${cell} is counted whole but its centre is outside`);
        }
        const estimate = estimateCells(geofence, resolution);
        expect(estimate.atLeast).toBeLessThanOrEqual(cells.length);
        if (cells.length >= 50) {
          expect(estimate.cells / cells.length).toBeGreaterThan(0.6);
          expect(estimate.cells / cells.length).toBeLessThan(1.6);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("neighbouring markets", () => {
  /**
   * Two markets meeting along a random border (a zigzag from west to east), one north of it
   * and one south, the south one's copy of the border with extra vertices along it (as a
   * neighbour's outline drawn separately often has). Rotated, and placed anywhere.
   */
  const pairArb = fc
    .record({
      place: placeArb,
      resolution: fc.integer({ min: 6, max: 9 }),
      southResolution: fc.integer({ min: -1, max: 1 }),
      cells: fc.double({ min: 1, max: 8, noNaN: true }),
      border: fc.array(
        fc.record({ x: fc.double({ min: -0.95, max: 0.95, noNaN: true }), y: fc.double({ min: -0.3, max: 0.3, noNaN: true }) }),
        {
          maxLength: 6,
        },
      ),
      north: fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 5 }),
      south: fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 5 }),
      rotate: fc.double({ min: 0, max: 6.283, noNaN: true }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    })
    .filter(({ border }) => new Set(border.map((p) => p.x.toFixed(3))).size === border.length)
    .map((g) => {
      const L = g.cells * edgeKm(g.resolution);
      const turn = ([x, y]: [number, number]): [number, number] => [
        L * (x * Math.cos(g.rotate) - y * Math.sin(g.rotate)),
        L * (x * Math.sin(g.rotate) + y * Math.cos(g.rotate)),
      ];
      const line: Array<[number, number]> = [
        [-1, 0],
        ...[...g.border].sort((a, b) => a.x - b.x).map((p): [number, number] => [p.x, p.y]),
        [1, 0],
      ];
      const arc = (heights: number[], sign: number): Array<[number, number]> =>
        heights.map((h, i) => [1 - (2 * (i + 1)) / (heights.length + 1), sign * h]);
      const north = [...line, [1, 1.2] as [number, number], ...arc(g.north, 1), [-1, 1.2] as [number, number]];
      const southLine = line.flatMap((p, i): Array<[number, number]> => {
        const next = line[i + 1];
        return next ? [p, [(p[0] + next[0]) / 2, (p[1] + next[1]) / 2]] : [p];
      });
      const south = [
        ...[...southLine].reverse(),
        [-1, -1.2] as [number, number],
        ...arc(g.south, -1).reverse(),
        [1, -1.2] as [number, number],
      ];
      return {
        north: { ...g.place, rings: [north.map(turn)] } as Shape,
        south: { ...g.place, rings: [south.map(turn)] } as Shape,
        resolution: g.resolution,
        southResolution: Math.min(10, Math.max(5, g.resolution + g.southResolution)),
        seed: g.seed,
        L,
      };
    });

  test("every point resolves to the market whose polygon contains it", () => {
    let north = 0;
    let south = 0;
    fc.assert(
      fc.property(pairArb, (p) => {
        const index = new MarketIndex([
          market("north", geofenceOf([p.north]), p.resolution),
          market("south", geofenceOf([p.south]), p.southResolution),
        ]);
        const rnd = random(p.seed);
        for (let i = 0; i < 300; i++) {
          const x = (rnd() * 2 - 1) * 2 * p.L;
          const y = (rnd() * 2 - 1) * 2 * p.L;
          if (Math.min(distanceToOutline(p.north, x, y), distanceToOutline(p.south, x, y)) < 1e-6) continue;
          const { lat, lng } = toLatLng(p.north, x, y);
          const want = insideReference(p.north, x, y) ? "north" : insideReference(p.south, x, y) ? "south" : undefined;
          if (want === "north") north++;
          if (want === "south") south++;
          const got = index.locate(lat, lng)?.market.id;
          if (got !== want) throw new Error(`${lat},${lng}: want ${want}, got ${got}`);
        }
      }),
      { numRuns: 200 },
    );
    expect(north).toBeGreaterThan(3_000);
    expect(south).toBeGreaterThan(3_000);
  });

  test("neighbours sharing a border do not overlap; moved into each other, they do", () => {
    fc.assert(
      fc.property(pairArb, (p) => {
        const south = [market("south", geofenceOf([p.south]), p.southResolution)];
        expect(overlappingMarket(geofenceOf([p.north]), south)).toBeUndefined();
        // Toward the neighbour, across the shared border (the scene may be turned: not always "south").
        const centre = (s: Shape) => {
          const ring = s.rings[0] as Array<[number, number]>;
          return ring.reduce(([cx, cy], [x, y]) => [cx + x / ring.length, cy + y / ring.length], [0, 0]);
        };
        const [nx, ny] = centre(p.north);
        const [sx, sy] = centre(p.south);
        const d = Math.hypot(sx - nx, sy - ny);
        const [dx, dy] = [((sx - nx) / d) * 0.2 * p.L, ((sy - ny) / d) * 0.2 * p.L];
        const moved = { ...p.north, rings: p.north.rings.map((r) => r.map(([x, y]): [number, number] => [x + dx, y + dy])) };
        const clash = overlappingMarket(geofenceOf([moved]), south);
        expect(clash?.market.id).toBe("south");
        // The point given is in both.
        const at = clash?.at as { lat: number; lng: number };
        expect(new Region(geofenceOf([p.south])).contains(at.lat, at.lng) || distanceFromRegion(p.south, at) < 1e-3).toBe(true);
      }),
      { numRuns: 120 },
    );
  });
});

/** km from a point given in degrees to a shape's outline, through the drawing plane. */
function distanceFromRegion(s: Shape, at: { lat: number; lng: number }): number {
  const y = (at.lat - s.lat0) * KM_PER_DEGREE;
  let dlng = at.lng - s.lng0;
  dlng = ((((dlng + 180) % 360) + 360) % 360) - 180;
  const x = dlng * KM_PER_DEGREE * Math.cos((s.lat0 * Math.PI) / 180);
  return distanceToOutline(s, x, y);
}

describe("overlap between geofences, case by case", () => {
  const square = (x0: number, y0: number, size: number, holes: number[][][] = []): Geofence => ({
    type: "Polygon",
    coordinates: [
      [
        [x0, y0],
        [x0 + size, y0],
        [x0 + size, y0 + size],
        [x0, y0 + size],
        [x0, y0],
      ],
      ...holes,
    ],
  });
  const ring = (x0: number, y0: number, size: number) => [
    [x0, y0],
    [x0, y0 + size],
    [x0 + size, y0 + size],
    [x0 + size, y0],
    [x0, y0],
  ];
  const overlaps = (a: Geofence, b: Geofence) => overlap(new Region(a), new Region(b)) !== undefined;
  const cases: Array<[string, Geofence, Geofence, boolean]> = [
    ["the same square twice", square(0, 0, 1), square(0, 0, 1), true],
    ["a square and its neighbour to the east", square(0, 0, 1), square(1, 0, 1), false],
    ["neighbours sharing only a corner", square(0, 0, 1), square(1, 1, 1), false],
    [
      "a neighbour whose shared side has extra vertices",
      square(0, 0, 1),
      {
        type: "Polygon",
        coordinates: [
          [
            [1, 0],
            [2, 0],
            [2, 1],
            [1, 1],
            [1, 0.7],
            [1, 0.3],
            [1, 0],
          ],
        ],
      },
      false,
    ],
    ["a smaller square inside, sharing two sides", square(0, 0, 1), square(0, 0, 0.5), true],
    ["a small square wholly inside", square(0, 0, 1), square(0.4, 0.4, 0.1), true],
    ["a square in the other's hole", square(0, 0, 1, [ring(0.25, 0.25, 0.5)]), square(0.3, 0.3, 0.2), false],
    ["a square filling the other's hole exactly", square(0, 0, 1, [ring(0.25, 0.25, 0.5)]), square(0.25, 0.25, 0.5), false],
    ["a square larger than the hole it sits in", square(0, 0, 1, [ring(0.25, 0.25, 0.5)]), square(0.2, 0.2, 0.6), true],
    ["squares crossing", square(0, 0, 1), square(0.5, 0.5, 1), true],
    ["far apart", square(0, 0, 1), square(10, 10, 1), false],
    [
      "across the antimeridian, one drawn with a jump",
      {
        type: "Polygon",
        coordinates: [
          [
            [179.5, 0],
            [-179.5, 0],
            [-179.5, 1],
            [179.5, 1],
            [179.5, 0],
          ],
        ],
      },
      square(-179.9, 0.2, 0.2),
      true,
    ],
    ["either side of the antimeridian", square(179, 0, 1), square(-180, 0, 1), false],
  ];
  for (const [what, a, b, want] of cases) {
    test(`${what}: ${want ? "overlap" : "no overlap"}, both ways`, () => {
      expect(overlaps(a, b)).toBe(want);
      expect(overlaps(b, a)).toBe(want);
    });
  }
});

describe("the demo markets", () => {
  const ROOT = resolve(import.meta.dir, "..");
  for (const id of ["nyc-manhattan", "hcmc-central"] as const) {
    test(`${id}: every one of 20,000 random points inside its geofence resolves to it`, () => {
      const m = { ...JSON.parse(readFileSync(resolve(ROOT, `db/seed/markets/${id}.json`), "utf8")), id, version: 1 } as Market;
      const index = new MarketIndex([m]);
      const region = new Region(m.geofence);
      const centres = new Set(polygonToCells(m.geofence.coordinates as number[][][], m.resolution, true));
      const box = region.polygons[0]?.box as { minLat: number; maxLat: number; minLng: number; maxLng: number };
      const rnd = random(17);
      let n = 0;
      let located = 0;
      let byCentres = 0;
      while (n < 20_000) {
        const lat = box.minLat + rnd() * (box.maxLat - box.minLat);
        const lng = box.minLng + rnd() * (box.maxLng - box.minLng);
        if (!region.contains(lat, lng)) continue;
        n++;
        if (index.locate(lat, lng)?.market.id === id) located++;
        if (centres.has(latLngToCell(lat, lng, m.resolution))) byCentres++;
      }
      console.log(`${id}: ${((100 * located) / n).toFixed(1)}% located (centre rule: ${((100 * byCentres) / n).toFixed(1)}%)`);
      expect(located).toBe(n);
    });
  }
});

describe("refused before any cell is computed", () => {
  const box = (w: number, s: number, e: number, n: number): Geofence => ({
    type: "Polygon",
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  });

  test("a continent at resolution 8 is refused by its area", () => {
    const refusal = geofenceRefusal(box(-17, -34, 51, 37), 8, 50_000);
    expect(refusal?.code).toBe("geofence-too-large");
    expect(refusal?.estimate?.atLeast).toBeGreaterThan(10_000_000);
  });

  test("a thin zigzag with a small area but a vast outline is refused by its outline", () => {
    const ring: number[][] = [];
    for (let i = 0; i <= 2000; i++) ring.push([-30 + i * 0.03, i % 2 === 0 ? 0 : 0.9]);
    for (let i = 2000; i >= 0; i--) ring.push([-30 + i * 0.03, i % 2 === 0 ? 0.0001 : 0.9001]);
    ring.push(ring[0] as number[]);
    const refusal = geofenceRefusal({ type: "Polygon", coordinates: [ring] }, 9, 50_000);
    expect(refusal?.code).toBe("geofence-too-large");
    expect(refusal?.detail).toContain("outline");
  });

  test("too many positions, a ring around a pole, or no area", () => {
    const many: number[][] = Array.from({ length: MAX_GEOFENCE_POSITIONS }, (_, i) => [Math.cos(i) * 0.01, Math.sin(i) * 0.01]);
    expect(geofenceRefusal({ type: "Polygon", coordinates: [[...many, many[0] as number[]]] }, 8, 50_000)?.code).toBe(
      "geofence-too-detailed",
    );
    const polar = [0, 90, 180, -90, 0].map((lng) => [lng, 80]);
    expect(geofenceRefusal({ type: "Polygon", coordinates: [polar] }, 5, 50_000)?.code).toBe("geofence-ambiguous");
    const flat = box(10, 10, 10.5, 10);
    expect(geofenceRefusal(flat, 8, 50_000)?.code).toBe("geofence-empty");
  });

  test("a city-sized geofence passes", () => {
    expect(geofenceRefusal(box(-74.02, 40.7, -73.93, 40.8), 8, 50_000)).toBeUndefined();
  });
});
