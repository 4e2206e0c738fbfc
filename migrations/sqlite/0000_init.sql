CREATE TABLE `backends` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`config` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deployments` (
	`namespace` text NOT NULL,
	`function_name` text NOT NULL,
	`backend` text NOT NULL,
	`status` text NOT NULL,
	`applied_generation` integer NOT NULL,
	`observed_replicas` integer NOT NULL,
	`available_replicas` integer NOT NULL,
	`last_error` text,
	`attempts` integer NOT NULL,
	`next_attempt_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `function_name`, `backend`)
);
--> statement-breakpoint
CREATE TABLE `functions` (
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`spec` text NOT NULL,
	`replicas` integer NOT NULL,
	`placement` text NOT NULL,
	`generation` integer NOT NULL,
	`deleted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `name`)
);
--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `namespaces` (
	`name` text PRIMARY KEY NOT NULL,
	`labels` text NOT NULL,
	`annotations` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `secrets` (
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`ciphertext` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `name`)
);
