CREATE TABLE "cell_hours" (
	"market_id" text NOT NULL,
	"cell" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"zone" text NOT NULL,
	"cell_minutes" integer DEFAULT 0 NOT NULL,
	"multiplier_sum" double precision DEFAULT 0 NOT NULL,
	"supply_sum" double precision DEFAULT 0 NOT NULL,
	"demand_sum" double precision DEFAULT 0 NOT NULL,
	"peak_multiplier" real,
	"quotes" integer DEFAULT 0 NOT NULL,
	"verified" integer DEFAULT 0 NOT NULL,
	"revenue_at_surge" bigint DEFAULT 0 NOT NULL,
	"revenue_at_one" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "cell_hours_market_id_cell_hour_zone_pk" PRIMARY KEY("market_id","cell","hour","zone")
);
--> statement-breakpoint
CREATE TABLE "market_days" (
	"market_id" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"cell_minutes" integer DEFAULT 0 NOT NULL,
	"multiplier_sum" double precision DEFAULT 0 NOT NULL,
	"supply_sum" double precision DEFAULT 0 NOT NULL,
	"demand_sum" double precision DEFAULT 0 NOT NULL,
	"peak_multiplier" real,
	"quotes" integer DEFAULT 0 NOT NULL,
	"verified" integer DEFAULT 0 NOT NULL,
	"revenue_at_surge" bigint DEFAULT 0 NOT NULL,
	"revenue_at_one" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "market_days_market_id_day_pk" PRIMARY KEY("market_id","day")
);
--> statement-breakpoint
CREATE TABLE "market_hours" (
	"market_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"cell_minutes" integer DEFAULT 0 NOT NULL,
	"multiplier_sum" double precision DEFAULT 0 NOT NULL,
	"supply_sum" double precision DEFAULT 0 NOT NULL,
	"demand_sum" double precision DEFAULT 0 NOT NULL,
	"peak_multiplier" real,
	"quotes" integer DEFAULT 0 NOT NULL,
	"verified" integer DEFAULT 0 NOT NULL,
	"revenue_at_surge" bigint DEFAULT 0 NOT NULL,
	"revenue_at_one" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "market_hours_market_id_hour_pk" PRIMARY KEY("market_id","hour")
);
--> statement-breakpoint
CREATE INDEX "cell_hours_market_hour" ON "cell_hours" USING btree ("market_id","hour");--> statement-breakpoint
-- Backfill: the rollups of the history already stored, as the history writer keeps them (db/rollups.ts).
INSERT INTO "cell_hours" ("market_id", "cell", "hour", "zone", "cell_minutes", "multiplier_sum", "supply_sum", "demand_sum", "peak_multiplier")
SELECT "market_id", "cell", date_trunc('hour', "minute", 'UTC'), "zone", count(*), sum("multiplier"::float8), sum("supply"::float8), sum("demand"::float8), max("peak_multiplier")
FROM "surge_minutes" GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "cell_hours" ("market_id", "cell", "hour", "zone", "quotes", "verified", "revenue_at_surge", "revenue_at_one")
SELECT "market_id", "cell", date_trunc('hour', "issued_at", 'UTC'), "zone", count(*), count("verified_at"),
  coalesce(sum("total") FILTER (WHERE "verified_at" IS NOT NULL), 0), coalesce(sum("total_at_one") FILTER (WHERE "verified_at" IS NOT NULL), 0)
FROM "quotes" GROUP BY 1, 2, 3, 4
ON CONFLICT ("market_id", "cell", "hour", "zone") DO UPDATE SET "quotes" = excluded."quotes", "verified" = excluded."verified",
  "revenue_at_surge" = excluded."revenue_at_surge", "revenue_at_one" = excluded."revenue_at_one";
--> statement-breakpoint
INSERT INTO "market_hours" ("market_id", "hour", "cell_minutes", "multiplier_sum", "supply_sum", "demand_sum", "peak_multiplier", "quotes", "verified", "revenue_at_surge", "revenue_at_one")
SELECT "market_id", "hour", sum("cell_minutes"), sum("multiplier_sum"), sum("supply_sum"), sum("demand_sum"), max("peak_multiplier"),
  sum("quotes"), sum("verified"), sum("revenue_at_surge"), sum("revenue_at_one")
FROM "cell_hours" GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO "market_days" ("market_id", "day", "cell_minutes", "multiplier_sum", "supply_sum", "demand_sum", "peak_multiplier", "quotes", "verified", "revenue_at_surge", "revenue_at_one")
SELECT "market_id", date_trunc('day', "hour", 'UTC'), sum("cell_minutes"), sum("multiplier_sum"), sum("supply_sum"), sum("demand_sum"), max("peak_multiplier"),
  sum("quotes"), sum("verified"), sum("revenue_at_surge"), sum("revenue_at_one")
FROM "market_hours" GROUP BY 1, 2;
