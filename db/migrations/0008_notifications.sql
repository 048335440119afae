CREATE TABLE "notification_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"subscription_id" text NOT NULL,
	"market_id" text NOT NULL,
	"topic" text NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"send_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"last_error" text,
	"locale" text NOT NULL,
	"notices" jsonb NOT NULL,
	"version" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"market_id" text NOT NULL,
	"owner" text NOT NULL,
	"topic" text NOT NULL,
	"status" text NOT NULL,
	"version" bigint NOT NULL,
	"expires_at" timestamp with time zone,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "notification_deliveries_subscription" ON "notification_deliveries" USING btree ("subscription_id","send_at");--> statement-breakpoint
CREATE INDEX "notification_subscriptions_market" ON "notification_subscriptions" USING btree ("market_id","status");--> statement-breakpoint
CREATE INDEX "notification_subscriptions_owner" ON "notification_subscriptions" USING btree ("owner");