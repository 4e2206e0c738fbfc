CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`namespace` text NOT NULL,
	`function_name` text NOT NULL,
	`queue` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `calls_updated_idx` ON `calls` (`updated_at`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`namespace` text NOT NULL,
	`function_name` text NOT NULL,
	`record` text NOT NULL,
	`last_status` integer,
	`last_error` text,
	`attempts` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_created_idx` ON `dead_letters` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `dead_letters_function_idx` ON `dead_letters` (`namespace`,`function_name`,`created_at`);--> statement-breakpoint
CREATE TABLE `payloads` (
	`id` text PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `queue_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`record` text NOT NULL,
	`available_at` integer NOT NULL,
	`lease_token` text,
	`lease_until` integer,
	`delivery_count` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `queue_messages_queue_available_idx` ON `queue_messages` (`queue`,`available_at`);