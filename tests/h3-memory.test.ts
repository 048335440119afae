import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";

/**
 * h3-js keeps its C library's memory in one ArrayBuffer, which an isolate counts against its
 * memory (a Durable Object has 128 MB). The package reserves 32 MiB at load; our patch
 * (patches/h3-js@4.5.0.patch) starts it at 8 MiB, and it grows when a call needs more. Each
 * check runs in a process of its own, so that nothing else this test run loaded is counted.
 */

const H3 = resolve(import.meta.dir, "../node_modules/h3-js/dist");
/** Every build a runtime may load: Node's and the browser's (which Workers bundle), CommonJS and ES. */
const BUILDS = ["h3-js.js", "h3-js.es.js", "browser/h3-js.js", "browser/h3-js.es.js"];
const MiB = 1024 ** 2;

function run<T>(script: string): T {
  const child = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  if (child.exitCode !== 0) throw new Error(child.stderr.toString());
  return JSON.parse(child.stdout.toString()) as T;
}

describe("h3's memory", () => {
  test.each(BUILDS)("%s reserves 8 MiB at load, not 32", (build) => {
    const { loaded } = run<{ loaded: number }>(`
      const before = process.memoryUsage().arrayBuffers;
      const h3 = require(${JSON.stringify(`${H3}/${build}`)});
      h3.latLngToCell(40.75, -73.99, 9);
      console.log(JSON.stringify({ loaded: process.memoryUsage().arrayBuffers - before }));
    `);
    expect(loaded).toBeGreaterThanOrEqual(8 * MiB);
    expect(loaded).toBeLessThan(9 * MiB);
  });

  test("a call that needs more grows it, and answers as it would have", () => {
    // ~270,000 cells of resolution 11: more than the first 8 MiB holds. Split down a meridian,
    // each half (cells by their centre) must make up the whole.
    type Split = Record<"grownBy" | "all" | "west" | "east" | "union" | "same" | "resolution", number>;
    const r = run<Split>(`
      const h3 = require(${JSON.stringify(`${H3}/browser/h3-js.es.js`)});
      const before = process.memoryUsage().arrayBuffers;
      const box = (w, e) => [[40.6, w], [40.6, e], [40.85, e], [40.85, w]];
      const cells = (w, e) => h3.polygonToCellsExperimental(box(w, e), 11, h3.POLYGON_TO_CELLS_FLAGS.containmentCenter);
      const all = cells(-74.2, -73.95);
      const west = cells(-74.2, -74.075);
      const east = cells(-74.075, -73.95);
      const union = new Set([...west, ...east]);
      console.log(JSON.stringify({
        grownBy: process.memoryUsage().arrayBuffers - before,
        all: all.length, west: west.length, east: east.length, union: union.size,
        same: all.every((c) => union.has(c)) ? 1 : 0,
        resolution: h3.getResolution(all[0]),
      }));
    `);
    expect(r.grownBy).toBeGreaterThan(0);
    expect(r.all).toBeGreaterThan(250_000);
    expect(r.resolution).toBe(11);
    expect(r.west + r.east).toBe(r.all);
    expect(r.union).toBe(r.all);
    expect(r.same).toBe(1);
  });
});
