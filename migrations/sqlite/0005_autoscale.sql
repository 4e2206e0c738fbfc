CREATE TABLE `load_samples` (
	`instance` text NOT NULL,
	`namespace` text NOT NULL,
	`function_name` text NOT NULL,
	`rps` real NOT NULL,
	`ok_rps` real NOT NULL,
	`inflight` real NOT NULL,
	`started` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`instance`, `namespace`, `function_name`)
);
--> statement-breakpoint
CREATE TABLE `scaling_decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`namespace` text NOT NULL,
	`function_name` text NOT NULL,
	`at` integer NOT NULL,
	`from_replicas` integer NOT NULL,
	`to_replicas` integer NOT NULL,
	`reason` text NOT NULL,
	`inputs` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scaling_decisions_function_idx` ON `scaling_decisions` (`namespace`,`function_name`,`at`);--> statement-breakpoint
CREATE TABLE `scaling_states` (
	`namespace` text NOT NULL,
	`function_name` text NOT NULL,
	`state` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `function_name`)
);
--> statement-breakpoint
CREATE INDEX `calls_status_idx` ON `calls` (`status`,`namespace`,`function_name`);