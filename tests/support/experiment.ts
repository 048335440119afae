import { ExperimentInputSchema } from "../../shared/contracts/experiments";
import type { StoredExperiment } from "../../shared/experiments/assignment";

/**
 * An experiment as stored, for the pure tests: a live switchback of nyc from 2026-12-01 18:00 UTC
 * for a week, 30-minute windows with 5 minutes of burn-in, units at resolution 6, a control and
 * a gentler curve — with `input` changed (parsed as the API would) and the stored fields after.
 */
export function storedExperiment(input: Record<string, unknown> = {}, stored: Partial<StoredExperiment> = {}): StoredExperiment {
  const parsed = ExperimentInputSchema.parse({
    market: "nyc",
    name: "gentler curve",
    design: "switchback",
    windowMinutes: 30,
    burnInMinutes: 5,
    unitResolution: 6,
    variants: [
      { id: "control", weight: 1 },
      { id: "gentle", weight: 1, surge: { sensitivity: 0.3 } },
    ],
    mode: "live",
    from: "2026-12-01T18:00:00.000Z",
    to: "2026-12-08T18:00:00.000Z",
    ...input,
  });
  return {
    ...parsed,
    id: "gentle-curve",
    salt: "9f2c1e",
    createdAt: "2026-12-01T17:00:00.000Z",
    updatedAt: "2026-12-01T17:00:00.000Z",
    stoppedAt: null,
    stopReason: null,
    ...stored,
  };
}
