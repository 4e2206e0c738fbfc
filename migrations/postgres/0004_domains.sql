CREATE TABLE "acme_accounts" (
	"directory_url" text PRIMARY KEY NOT NULL,
	"key_ciphertext" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "acme_challenges" (
	"token" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"key_authorization" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"host" text PRIMARY KEY NOT NULL,
	"source" text,
	"chain_pem" text,
	"key_ciphertext" text,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"version" integer NOT NULL,
	"last_error" text,
	"attempts" integer NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "domains" (
	"host" text PRIMARY KEY NOT NULL,
	"namespace" text NOT NULL,
	"function_name" text NOT NULL,
	"path_prefix" text NOT NULL,
	"redirect_https" boolean NOT NULL,
	"tls" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "domains_function_idx" ON "domains" USING btree ("namespace","function_name");