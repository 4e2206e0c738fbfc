ALTER TABLE "backends" ADD COLUMN "labels" json DEFAULT '{}'::json NOT NULL;--> statement-breakpoint
ALTER TABLE "backends" ADD COLUMN "is_default" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "backends" ADD COLUMN "credentials" text;--> statement-breakpoint
ALTER TABLE "backends" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;