import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Preloaded by `bun test` (bunfig.toml): the folder of the JUnit report. A clean clone has no
 * `tests/artifacts/` (git ignores it), and Bun's reporter does not create it: the run would pass
 * and leave no report for CI to read.
 */
mkdirSync(resolve(import.meta.dir, "../artifacts"), { recursive: true });
