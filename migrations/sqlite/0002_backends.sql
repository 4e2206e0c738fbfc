ALTER TABLE `backends` ADD `labels` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `backends` ADD `is_default` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `backends` ADD `credentials` text;--> statement-breakpoint
ALTER TABLE `backends` ADD `updated_at` integer DEFAULT 0 NOT NULL;