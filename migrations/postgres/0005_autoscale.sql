CREATE TABLE "load_samples" (
	"instance" text NOT NULL,
	"namespace" text NOT NULL,
	"function_name" text NOT NULL,
	"rps" double precision NOT NULL,
	"ok_rps" double precision NOT NULL,
	"inflight" double precision NOT NULL,
	"started" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "load_samples_instance_namespace_function_name_pk" PRIMARY KEY("instance","namespace","function_name")
);
--> statement-breakpoint
CREATE TABLE "scaling_decisions" (
	"id" text PRIMARY KEY NOT NULL,
	"namespace" text NOT NULL,
	"function_name" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"from_replicas" integer NOT NULL,
	"to_replicas" integer NOT NULL,
	"reason" text NOT NULL,
	"inputs" json NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scaling_states" (
	"namespace" text NOT NULL,
	"function_name" text NOT NULL,
	"state" json NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "scaling_states_namespace_function_name_pk" PRIMARY KEY("namespace","function_name")
);
--> statement-breakpoint
CREATE INDEX "scaling_decisions_function_idx" ON "scaling_decisions" USING btree ("namespace","function_name","at");--> statement-breakpoint
CREATE INDEX "calls_status_idx" ON "calls" USING btree ("status","namespace","function_name");