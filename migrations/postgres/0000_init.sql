CREATE TABLE "backends" (
	"name" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"config" json NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"namespace" text NOT NULL,
	"function_name" text NOT NULL,
	"backend" text NOT NULL,
	"status" text NOT NULL,
	"applied_generation" integer NOT NULL,
	"observed_replicas" integer NOT NULL,
	"available_replicas" integer NOT NULL,
	"last_error" text,
	"attempts" integer NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "deployments_namespace_function_name_backend_pk" PRIMARY KEY("namespace","function_name","backend")
);
--> statement-breakpoint
CREATE TABLE "functions" (
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"spec" json NOT NULL,
	"replicas" integer NOT NULL,
	"placement" json NOT NULL,
	"generation" integer NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "functions_namespace_name_pk" PRIMARY KEY("namespace","name")
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "namespaces" (
	"name" text PRIMARY KEY NOT NULL,
	"labels" json NOT NULL,
	"annotations" json NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "secrets" (
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"ciphertext" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "secrets_namespace_name_pk" PRIMARY KEY("namespace","name")
);
