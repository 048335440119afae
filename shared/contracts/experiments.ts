import { z } from "zod";
import { MarketIdSchema, SurgeSettingsSchema } from "../pricing/market";

/**
 * Pricing experiments as the API speaks of them: the definition an operator puts, the
 * assignment of a point and time, and the results. Each schema is written once: validation,
 * types, the OpenAPI document and the typed client come from it.
 */

export const ExperimentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, "an experiment id is 2–64 lowercase letters, digits or dashes");

/**
 * What a variant may change: the curve, its cap and its smoothing. Not how supply and demand are
 * counted (windows, half-life, search weight) nor the neighbour rings: a zone counts those once,
 * with the market's settings, for every variant alike.
 */
export const VARIANT_SETTINGS = [
  "enabled",
  "cap",
  "targetRatio",
  "priorWeight",
  "minDemand",
  "sensitivity",
  "exponent",
  "deadband",
  "smoothing",
  "maxStepUp",
  "maxStepDown",
  "displayHysteresis",
  "neighbourWeight",
] as const;

const surge = SurgeSettingsSchema.shape;
/** A variant's partial surge settings: the market's own rules per field, no defaults (absent means the market's). */
export const VariantSettingsSchema = z
  .object({
    enabled: surge.enabled.unwrap().optional(),
    cap: surge.cap.unwrap().optional().describe("never above the market's cap: a higher one is clamped to it"),
    targetRatio: surge.targetRatio.unwrap().optional(),
    priorWeight: surge.priorWeight.unwrap().optional(),
    minDemand: surge.minDemand.unwrap().optional(),
    sensitivity: surge.sensitivity.unwrap().optional(),
    exponent: surge.exponent.unwrap().optional(),
    deadband: surge.deadband.unwrap().optional(),
    smoothing: surge.smoothing.unwrap().optional(),
    maxStepUp: surge.maxStepUp.unwrap().optional(),
    maxStepDown: surge.maxStepDown.unwrap().optional(),
    displayHysteresis: surge.displayHysteresis.unwrap().optional(),
    neighbourWeight: surge.neighbourWeight.unwrap().optional(),
  } satisfies Record<(typeof VARIANT_SETTINGS)[number], z.ZodType>)
  .strict();
export type VariantSettings = z.infer<typeof VariantSettingsSchema>;

export const VariantSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "a variant id is 1–32 lowercase letters, digits, _ or -"),
  weight: z.number().positive().max(1000).describe("relative share of units; weights need not sum to 1"),
  surge: VariantSettingsSchema.optional().describe("the surge settings this variant changes; absent: the market's"),
});
export type Variant = z.infer<typeof VariantSchema>;

/** Outcomes measured per unit and window. A ratio metric is a sum over a sum (requests over searches). */
export const METRICS = ["conversion", "revenue", "revenueAtOne", "quotes", "completion", "multiplier"] as const;
export const MetricSchema = z.enum(METRICS);
export type Metric = z.infer<typeof MetricSchema>;

export const GuardrailSchema = z.object({
  metric: MetricSchema,
  worseIf: z.enum(["lower", "higher"]).describe("the direction in which this metric is harmed"),
  tolerance: z
    .number()
    .min(0)
    .max(1)
    .describe("relative change allowed on the worse side (0.05: 5%); breached when a variant is surely worse than that"),
});
export type Guardrail = z.infer<typeof GuardrailSchema>;

const Instant = z.iso.datetime({ offset: true });

/** The body of `PUT /v1/experiments/{experimentId}`. */
export const ExperimentInputSchema = z
  .object({
    market: MarketIdSchema,
    name: z.string().min(1).max(120),
    design: z
      .enum(["switchback", "rider"])
      .describe(
        "switchback: each (unit cell × time window) drawn afresh; rider: each rider keeps one variant (only for what does not touch shared supply, so no surge settings)",
      ),
    windowMinutes: z.number().int().min(1).max(1440).default(30),
    burnInMinutes: z.number().int().min(0).max(1439).default(5).describe("dropped at the start of each window (carryover)"),
    unitResolution: z
      .number()
      .int()
      .min(0)
      .max(15)
      .default(6)
      .describe("H3 resolution of a switchback unit: the market's pricing cells or coarser"),
    variants: z
      .array(VariantSchema)
      .min(2)
      .max(8)
      .refine((vs) => new Set(vs.map((v) => v.id)).size === vs.length, "variant ids are unique")
      .describe("the first variant is the control the others are compared with"),
    mode: z.enum(["shadow", "live"]).describe("shadow: every variant computed and recorded, the market's charged"),
    from: Instant.describe("start, rounded down to the minute; windows count from it"),
    to: Instant.describe("end, exclusive"),
    primaryMetric: MetricSchema.default("conversion"),
    guardrails: z.array(GuardrailSchema).max(10).default([]),
  })
  .superRefine((e, ctx) => {
    if (e.burnInMinutes >= e.windowMinutes)
      ctx.addIssue({ code: "custom", path: ["burnInMinutes"], message: "the burn-in must be shorter than the window" });
    if (Date.parse(e.to) <= Date.parse(e.from)) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    if (Date.parse(e.to) - Date.parse(e.from) > MAX_EXPERIMENT_DAYS * 86_400_000)
      ctx.addIssue({ code: "custom", path: ["to"], message: `an experiment lasts at most ${MAX_EXPERIMENT_DAYS} days` });
    if (e.design === "rider") {
      const priced = e.variants.findIndex((v) => v.surge !== undefined && Object.keys(v.surge).length > 0);
      if (priced >= 0)
        ctx.addIssue({
          code: "custom",
          path: ["variants", priced, "surge"],
          message:
            "a rider-level test of prices is biased (treated riders share drivers with control riders): use the switchback design",
        });
    }
  });
export type ExperimentInput = z.infer<typeof ExperimentInputSchema>;

export const MAX_EXPERIMENT_DAYS = 90;

/** An experiment as stored and answered: the input, normalised, with its key and its life. */
export const ExperimentSchema = z.object({
  id: ExperimentIdSchema,
  market: MarketIdSchema,
  name: z.string(),
  design: z.enum(["switchback", "rider"]),
  windowMinutes: z.number().int(),
  burnInMinutes: z.number().int(),
  unitResolution: z.number().int(),
  variants: z.array(VariantSchema),
  mode: z.enum(["shadow", "live"]),
  from: z.string(),
  to: z.string(),
  primaryMetric: MetricSchema,
  guardrails: z.array(GuardrailSchema),
  status: z.enum(["scheduled", "running", "ended", "stopped"]),
  createdAt: z.string(),
  updatedAt: z.string(),
  stoppedAt: z.string().nullable(),
  stopReason: z.string().nullable(),
});

export const AssignmentQuerySchema = z.object({
  lat: z.coerce.number().min(-90).max(90),
  lng: z.coerce.number().min(-180).max(180),
  at: Instant.optional().describe("default: now"),
  rider: z.string().min(1).max(128).optional().describe("the rider, for the rider design"),
});

export const AssignmentSchema = z.object({
  experiment: z.string(),
  unit: z.string().describe("the H3 cell at the unit resolution (switchback) or the rider (rider design)"),
  window: z.object({
    index: z.number().int(),
    start: z.string(),
    end: z.string(),
    burnIn: z.boolean().describe("true during the window's burn-in, which the analysis drops"),
  }),
  variant: z.string(),
  mode: z.enum(["shadow", "live"]),
  active: z.boolean().describe("whether the experiment is in force at that time (within its span and not stopped)"),
});

/** Settings a replay may change: a variant's, and also how supply and demand are counted (replay recounts them). */
export const ReplaySettingsSchema = VariantSettingsSchema.extend({
  searchWeight: surge.searchWeight.unwrap().optional(),
  demandHalfLifeSeconds: surge.demandHalfLifeSeconds.unwrap().optional(),
  supplyWindowSeconds: surge.supplyWindowSeconds.unwrap().optional(),
  neighbourRings: surge.neighbourRings.unwrap().optional(),
  updateIntervalMs: surge.updateIntervalMs.unwrap().optional(),
}).strict();

/** The longest period one replay covers, and the most events it reads. */
export const MAX_REPLAY_HOURS = 24;
export const MAX_REPLAY_EVENTS = 300_000;

/** The body of `POST /v1/markets/{marketId}/replay`. */
export const ReplayRequestSchema = z
  .object({
    from: Instant,
    to: Instant,
    candidate: ReplaySettingsSchema.describe("settings changed from the market's current ones; absent fields are the market's"),
    flapMinutes: z.number().int().min(1).max(30).default(3).describe("a change undone within this long counts as a flap"),
  })
  .superRefine((r, ctx) => {
    const ms = Date.parse(r.to) - Date.parse(r.from);
    if (ms <= 0) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    if (ms > MAX_REPLAY_HOURS * 3_600_000)
      ctx.addIssue({ code: "custom", path: ["to"], message: `a replay covers at most ${MAX_REPLAY_HOURS} hours` });
  });

const Profile = z.object({
  cellMinutes: z.number().int(),
  mean: z.number().nullable(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  distribution: z.array(z.object({ multiplier: z.number(), cellMinutes: z.number().int(), share: z.number() })),
  timeAtCap: z.number(),
  changesPerHour: z.number(),
  flapsPerHour: z.number(),
  flaps: z.number().int(),
});

export const ReplayAnswerSchema = z.object({
  market: z.string(),
  from: z.string(),
  to: z.string(),
  events: z.number().int().describe("recorded events replayed (the warm-up before `from` included)"),
  warmUpSeconds: z.number().int(),
  candidate: z.object({
    settings: z.record(z.string(), z.unknown()),
    profile: Profile,
    ticks: z.number().int(),
    changes: z.number().int(),
  }),
  live: z.object({
    recorded: Profile.describe("what the zones showed and history kept (surge_minutes)"),
    replayed: Profile.describe("the market's current settings through the same replay: how faithful replay is"),
  }),
  assumptions: z.array(z.string()),
});

/** A reading's experiment arm, as its explanation tells it. */
export const ExperimentStorySchema = z.object({
  id: z.string(),
  mode: z.enum(["live", "shadow"]),
  unit: z.string(),
  window: z.number().int(),
  variant: z.string().describe("the variant drawn for the unit and window (in shadow, the one a live run would charge)"),
  shadow: z
    .record(z.string(), z.number())
    .optional()
    .describe("shadow mode: each variant's multiplier, computed and not charged"),
});
