/**
 * Scenarios: how rider demand and driver supply change over a run. Times are fractions of the
 * run, so a shorter `--minutes` keeps the same story compressed (a 20-minute stadium run has a
 * 10-minute spike); at its default length each scenario tells it in real proportions.
 */

export type ScenarioName = "weekday" | "stadium" | "rainstorm" | "shortage";
export const SCENARIO_NAMES: readonly ScenarioName[] = ["weekday", "stadium", "rainstorm", "shortage"];

/** A stretch of the run, [from, to) as fractions of it. */
export interface Phase {
  name: string;
  from: number;
  to: number;
}

/** The market's state at one moment, relative to an ordinary weekday. */
export interface Conditions {
  /** Factor on the city-wide rider arrival rate. */
  demand: number;
  /** Factor on the arrival rate of the venue's cells, on top of `demand`. */
  venueDemand: number;
  /** Share of the fleet that wants to be online. */
  online: number;
}

export interface Scenario {
  /** One of `SCENARIO_NAMES`, or an in-process scenario's name (`stadium-week`). */
  name: string;
  description: string;
  defaultMinutes: number;
  phases: readonly Phase[];
  /** The phase the summary compares (the spike, the storm, the shortage); undefined for a plain day. */
  eventPhase: string | undefined;
  /** True when the scenario concentrates demand at a venue. */
  usesVenue: boolean;
  conditions(fraction: number, minute: number): Conditions;
}

export interface ScenarioOptions {
  /** Stadium: how many times the venue cells' normal demand arrives while it lets out. */
  spikeFactor?: number;
}

const ordinary: Conditions = { demand: 1, venueDemand: 1, online: 1 };

/** A gentle swell and ebb over the hour: a weekday is never flat, but nothing stands out. */
const weekdayDemand = (minute: number) => 1 + 0.15 * Math.sin((2 * Math.PI * minute) / 90);

function phaseAt(phases: readonly Phase[], fraction: number): string {
  for (const p of phases) if (fraction >= p.from && fraction < p.to) return p.name;
  return phases[phases.length - 1]?.name ?? "";
}

const threePhases = (event: string, from: number, to: number): Phase[] => [
  { name: "before", from: 0, to: from },
  { name: event, from, to },
  { name: "after", from: to, to: 1 },
];

/**
 * A scenario by name.
 * @example scenario("stadium").conditions(0.5, 30) // { demand: 1, venueDemand: 8, online: 1 }
 */
export function scenario(name: ScenarioName, options: ScenarioOptions = {}): Scenario {
  switch (name) {
    case "weekday": {
      const phases = [{ name: "weekday", from: 0, to: 1 }];
      return {
        name,
        description: "an ordinary weekday: demand swells and ebbs ±15%, the fleet steady",
        defaultMinutes: 60,
        phases,
        eventPhase: undefined,
        usesVenue: false,
        conditions: (_fraction, minute) => ({ ...ordinary, demand: weekdayDemand(minute) }),
      };
    }
    case "stadium": {
      const spikeFactor = options.spikeFactor ?? 8;
      // 10 minutes of an ordinary evening, 30 of the crowd leaving, 30 for the market to settle.
      const phases = threePhases("spike", 1 / 7, 4 / 7);
      return {
        name,
        description: `a stadium lets out: ${spikeFactor}× the usual demand in the venue's cells for three sevenths of the run`,
        defaultMinutes: 70,
        phases,
        eventPhase: "spike",
        usesVenue: true,
        conditions: (fraction) => ({ ...ordinary, venueDemand: phaseAt(phases, fraction) === "spike" ? spikeFactor : 1 }),
      };
    }
    case "rainstorm": {
      const phases = threePhases("storm", 0.2, 0.8);
      return {
        name,
        description: "a rainstorm: demand 1.8× city-wide while a quarter of the drivers go home",
        defaultMinutes: 60,
        phases,
        eventPhase: "storm",
        usesVenue: false,
        conditions: (fraction) =>
          phaseAt(phases, fraction) === "storm" ? { demand: 1.8, venueDemand: 1, online: 0.75 } : ordinary,
      };
    }
    case "shortage": {
      const phases = threePhases("shortage", 0.2, 0.8);
      return {
        name,
        description: "a driver shortage: 45% of the fleet goes offline, then comes back",
        defaultMinutes: 60,
        phases,
        eventPhase: "shortage",
        usesVenue: false,
        conditions: (fraction) => (phaseAt(phases, fraction) === "shortage" ? { ...ordinary, online: 0.55 } : ordinary),
      };
    }
  }
}

/** The phase a moment of the run falls in. */
export function phaseOf(s: Scenario, fraction: number): string {
  return phaseAt(s.phases, fraction);
}
