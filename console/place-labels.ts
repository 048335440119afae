/**
 * Where each named place's label goes on the map, so that no two labels overlap and none covers
 * another place's dot: to the right of its dot, else to the left, above or below, whichever comes
 * first that is clear of everything placed before it. A name that fits nowhere is left out (its
 * dot stays, and says its name on hover). Places keep the market's order, so the ones it lists
 * first are labelled first.
 *
 * Sizes are in the map's own units. A label's width is estimated from its length (no text is
 * measured), generously, so that an estimate never lets two labels touch.
 *
 * @example
 * placeLabelSpots([{ name: "Times Square", at: { x: 0, y: 0 } }], { font: 1, dot: 0.25, gap: 0.5 })
 * // [{ x: 0.5, y: 0, anchor: "start" }]
 */

export interface LabelSpot {
  x: number;
  y: number;
  /** How the text hangs from (x, y), as SVG's `text-anchor`; y is the text's middle. */
  anchor: "start" | "middle" | "end";
}

/** Width of a character as a share of the font size: wider than the average glyph of a sans-serif. */
const CHAR_WIDTH = 0.62;

export function placeLabelSpots(
  places: ReadonlyArray<{ name: string; at: { x: number; y: number } }>,
  { font, dot, gap }: { font: number; dot: number; gap: number },
): Array<LabelSpot | null> {
  // Boxes as [left, top, right, bottom]: every dot first, then each label as it is placed.
  type Box = [left: number, top: number, right: number, bottom: number];
  const taken = places.map(({ at }): Box => [at.x - dot, at.y - dot, at.x + dot, at.y + dot]);
  const half = font * 0.6;
  // Right of the dot, left, above, below: [dx, dy, anchor, share of the width left of x].
  const sides = [
    [gap, 0, "start", 0],
    [-gap, 0, "end", 1],
    [0, -gap - half, "middle", 0.5],
    [0, gap + half, "middle", 0.5],
  ] as const;
  return places.map(({ name, at }, i) => {
    const width = [...name].length * font * CHAR_WIDTH;
    for (const [dx, dy, anchor, share] of sides) {
      const x = at.x + dx;
      const y = at.y + dy;
      const box: Box = [x - share * width, y - half, x - share * width + width, y + half];
      // A place's own dot does not count against its label.
      if (taken.some((o, j) => j !== i && box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3])) continue;
      taken.push(box);
      return { x, y, anchor };
    }
    return null;
  });
}
