CREATE TABLE "calendar_entries" (
	"market_id" text NOT NULL,
	"entry_id" text NOT NULL,
	"from" timestamp with time zone NOT NULL,
	"to" timestamp with time zone NOT NULL,
	"body" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "calendar_entries_market_id_entry_id_pk" PRIMARY KEY("market_id","entry_id")
);
--> statement-breakpoint
CREATE TABLE "demand_intervals" (
	"market_id" text NOT NULL,
	"cell" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"searches" integer NOT NULL,
	"requests" integer NOT NULL,
	"supply" real NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "demand_intervals_market_id_at_cell_pk" PRIMARY KEY("market_id","at","cell")
);
--> statement-breakpoint
CREATE TABLE "forecast_models" (
	"model_id" text PRIMARY KEY NOT NULL,
	"market_id" text NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"trained_at" timestamp with time zone NOT NULL,
	"interval_minutes" smallint NOT NULL,
	"data_from" timestamp with time zone NOT NULL,
	"data_to" timestamp with time zone NOT NULL,
	"held_out_from" timestamp with time zone NOT NULL,
	"params" jsonb NOT NULL,
	"backtest" jsonb NOT NULL,
	"beats_seasonal_naive" boolean NOT NULL,
	"live" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "forecast_points" (
	"market_id" text NOT NULL,
	"cell" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"model_id" text NOT NULL,
	"demand" real NOT NULL,
	"low" real NOT NULL,
	"high" real NOT NULL,
	"supply" real,
	CONSTRAINT "forecast_points_market_id_cell_at_pk" PRIMARY KEY("market_id","cell","at")
);
--> statement-breakpoint
CREATE INDEX "calendar_entries_market_to" ON "calendar_entries" USING btree ("market_id","to");--> statement-breakpoint
CREATE INDEX "demand_intervals_at_brin" ON "demand_intervals" USING brin ("at");--> statement-breakpoint
CREATE INDEX "forecast_models_market_trained" ON "forecast_models" USING btree ("market_id","trained_at");--> statement-breakpoint
CREATE UNIQUE INDEX "forecast_models_one_live" ON "forecast_models" USING btree ("market_id") WHERE live;