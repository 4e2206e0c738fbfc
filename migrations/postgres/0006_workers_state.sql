CREATE TABLE "loop_state" (
	"name" text PRIMARY KEY NOT NULL,
	"cursor" text,
	"pass_done_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_ledger" (
	"id" text PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "versions" (
	"name" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "queue_ledger_queue_idx" ON "queue_ledger" USING btree ("queue");