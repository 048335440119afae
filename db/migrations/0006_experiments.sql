CREATE TABLE "experiment_minutes" (
	"experiment_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"cell" text NOT NULL,
	"market_id" text NOT NULL,
	"unit" text NOT NULL,
	"window_index" integer NOT NULL,
	"variant" text NOT NULL,
	"multiplier" real NOT NULL,
	"shadow" jsonb,
	CONSTRAINT "experiment_minutes_experiment_id_minute_cell_pk" PRIMARY KEY("experiment_id","minute","cell")
);
--> statement-breakpoint
CREATE TABLE "experiment_quotes" (
	"quote_id" text PRIMARY KEY NOT NULL,
	"experiment_id" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"unit" text NOT NULL,
	"window_index" integer NOT NULL,
	"variant" text NOT NULL,
	"shadow" jsonb
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"market_id" text NOT NULL,
	"from" timestamp with time zone NOT NULL,
	"to" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone,
	"body" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "experiment_minutes_market_cell_minute" ON "experiment_minutes" USING btree ("market_id","cell","minute");--> statement-breakpoint
CREATE INDEX "experiment_quotes_experiment_issued" ON "experiment_quotes" USING btree ("experiment_id","issued_at");--> statement-breakpoint
CREATE INDEX "experiments_market_from" ON "experiments" USING btree ("market_id","from");