import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type LabelSpot, placeLabelSpots } from "../console/place-labels";

const size = { font: 1, dot: 0.25, gap: 0.5 };
/** The box a label takes, by the same generous estimate the placement uses. */
function box(name: string, spot: LabelSpot) {
  const width = [...name].length * size.font * 0.62;
  const left = spot.anchor === "start" ? spot.x : spot.anchor === "end" ? spot.x - width : spot.x - width / 2;
  return { left, right: left + width, top: spot.y - 0.6, bottom: spot.y + 0.6 };
}
type Box = ReturnType<typeof box>;
const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const dotBox = (at: { x: number; y: number }) => ({
  left: at.x - 0.25,
  right: at.x + 0.25,
  top: at.y - 0.25,
  bottom: at.y + 0.25,
});

describe("place labels on the map", () => {
  test("a place alone is labelled to the right of its dot", () => {
    expect(placeLabelSpots([{ name: "Times Square", at: { x: 10, y: 5 } }], size)).toEqual([{ x: 10.5, y: 5, anchor: "start" }]);
  });

  test("a label that would run over the next place's dot goes to the left of its own", () => {
    const places = [
      { name: "Times Square", at: { x: 0, y: 0 } },
      { name: "Rockefeller Center", at: { x: 3, y: 0 } },
    ];
    expect(placeLabelSpots(places, size)).toEqual([
      { x: -0.5, y: 0, anchor: "end" },
      { x: 3.5, y: 0, anchor: "start" },
    ]);
  });

  test("places on top of each other: the first listed keeps its label, the ones with no room go without", () => {
    const places = Array.from({ length: 8 }, (_, i) => ({ name: `Place number ${i}`, at: { x: 0, y: 0 } }));
    const spots = placeLabelSpots(places, size);
    expect(spots[0]).toEqual({ x: 0.5, y: 0, anchor: "start" });
    expect(spots.filter((s) => s !== null).length).toBeLessThanOrEqual(4);
    expect(spots.slice(4)).toEqual([null, null, null, null]);
  });

  test("whatever the places, no two labels overlap and no label covers another place's dot", () => {
    const place = fc.record({
      name: fc.string({ minLength: 1, maxLength: 30 }),
      at: fc.record({ x: fc.double({ min: 0, max: 40, noNaN: true }), y: fc.double({ min: 0, max: 40, noNaN: true }) }),
    });
    fc.assert(
      fc.property(fc.array(place, { maxLength: 25 }), (places) => {
        const spots = placeLabelSpots(places, size);
        expect(spots).toHaveLength(places.length);
        const shown = places.flatMap((p, i) => {
          const spot = spots[i];
          return spot ? [{ i, box: box(p.name, spot) }] : [];
        });
        for (const a of shown) {
          for (const b of shown) if (a.i < b.i) expect(overlap(a.box, b.box)).toBe(false);
          places.forEach((p, j) => {
            if (j !== a.i) expect(overlap(a.box, dotBox(p.at))).toBe(false);
          });
        }
        // The first place always has its label: nothing was placed before it but dots.
        if (places.length === 1) expect(spots[0]).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
