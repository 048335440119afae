CREATE TABLE "catalogue_drafts" (
	"language" text NOT NULL,
	"key" text NOT NULL,
	"english" text NOT NULL,
	"text" text NOT NULL,
	"status" text NOT NULL,
	"author" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	CONSTRAINT "catalogue_drafts_language_key_pk" PRIMARY KEY("language","key")
);
--> statement-breakpoint
CREATE TABLE "feedback_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"market_id" text NOT NULL,
	"quote_id" text,
	"note" text NOT NULL,
	"detected_language" text,
	"confidence" real,
	"reply_locale" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "feedback_notes_market_at" ON "feedback_notes" USING btree ("market_id","created_at");