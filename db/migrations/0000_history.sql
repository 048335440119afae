CREATE TABLE "events" (
	"kind" text NOT NULL,
	"event_id" text NOT NULL,
	"market_id" text NOT NULL,
	"zone" text NOT NULL,
	"cell" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text,
	"status" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_kind_event_id_pk" PRIMARY KEY("kind","event_id")
);
--> statement-breakpoint
CREATE TABLE "market_versions" (
	"market_id" text NOT NULL,
	"version" integer NOT NULL,
	"body" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "market_versions_market_id_version_pk" PRIMARY KEY("market_id","version")
);
--> statement-breakpoint
CREATE TABLE "markets" (
	"id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"body" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_verifications" (
	"quote_id" text PRIMARY KEY NOT NULL,
	"verified_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quotes" (
	"quote_id" text PRIMARY KEY NOT NULL,
	"market_id" text NOT NULL,
	"product" text NOT NULL,
	"cell" text NOT NULL,
	"zone" text NOT NULL,
	"currency" text NOT NULL,
	"multiplier_tenths" smallint NOT NULL,
	"total" bigint NOT NULL,
	"total_at_one" bigint NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"verified_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "surge_minutes" (
	"market_id" text NOT NULL,
	"cell" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"zone" text NOT NULL,
	"supply" real NOT NULL,
	"demand" real NOT NULL,
	"multiplier" real NOT NULL,
	"peak_multiplier" real NOT NULL,
	CONSTRAINT "surge_minutes_market_id_minute_cell_pk" PRIMARY KEY("market_id","minute","cell")
);
--> statement-breakpoint
CREATE INDEX "events_market_at" ON "events" USING btree ("market_id","at");--> statement-breakpoint
CREATE INDEX "events_at_brin" ON "events" USING brin ("at");--> statement-breakpoint
CREATE INDEX "quotes_market_issued" ON "quotes" USING btree ("market_id","issued_at");--> statement-breakpoint
CREATE INDEX "quotes_issued_brin" ON "quotes" USING brin ("issued_at");--> statement-breakpoint
CREATE INDEX "surge_minutes_cell_minute" ON "surge_minutes" USING btree ("cell","minute");--> statement-breakpoint
CREATE INDEX "surge_minutes_minute_brin" ON "surge_minutes" USING brin ("minute");