CREATE TABLE `campaign_occurrences` (
	`campaign_id` text NOT NULL,
	`occurrence` text NOT NULL,
	`at` integer NOT NULL,
	`window_end` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`targeted` integer DEFAULT 0 NOT NULL,
	`planned_at` integer NOT NULL,
	`by` text NOT NULL,
	PRIMARY KEY(`campaign_id`, `occurrence`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaign_occurrences_at_idx` ON `campaign_occurrences` (`at`);--> statement-breakpoint
CREATE TABLE `campaign_targets` (
	`campaign_id` text NOT NULL,
	`occurrence` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text NOT NULL,
	`at` integer NOT NULL,
	`outbox_id` integer,
	`skip_reason` text,
	PRIMARY KEY(`campaign_id`, `occurrence`, `target_id`)
);
--> statement-breakpoint
CREATE INDEX `campaign_targets_target_idx` ON `campaign_targets` (`target_id`,`at`);--> statement-breakpoint
CREATE TABLE `campaign_transitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` text NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`by` text NOT NULL,
	`reason` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaign_transitions_idx` ON `campaign_transitions` (`campaign_id`,`id`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`source` text NOT NULL,
	`file` text,
	`definition` text NOT NULL,
	`status` text NOT NULL,
	`run_requested_at` integer,
	`run_requested_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `operator_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`channel` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`result` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `operator_actions_at_idx` ON `operator_actions` (`at`);