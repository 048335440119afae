CREATE TABLE "failure_events" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"status" text NOT NULL,
	"detail" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "request_minutes" (
	"minute" timestamp with time zone NOT NULL,
	"route" text NOT NULL,
	"mode" text NOT NULL,
	"outcome" text NOT NULL,
	"bucket_ms" integer NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "request_minutes_minute_route_mode_outcome_bucket_ms_pk" PRIMARY KEY("minute","route","mode","outcome","bucket_ms")
);
--> statement-breakpoint
CREATE INDEX "failure_events_at" ON "failure_events" USING btree ("at");