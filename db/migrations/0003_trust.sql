CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"roles" jsonb NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"market_id" text,
	"request_id" text,
	"detail" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_kind_event_id_pk";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "source" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_kind_source_event_id_pk" PRIMARY KEY("kind","source","event_id");--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD COLUMN "family" text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE "refresh_tokens" SET "family" = "id" WHERE "family" = '';--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD COLUMN "rotated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_last_step" bigint;--> statement-breakpoint
CREATE INDEX "audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_market_at" ON "audit_log" USING btree ("market_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_at" ON "audit_log" USING btree ("actor","at");--> statement-breakpoint
CREATE INDEX "refresh_tokens_family" ON "refresh_tokens" USING btree ("family");