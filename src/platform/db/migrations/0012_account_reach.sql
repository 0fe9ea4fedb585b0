CREATE TABLE `account_reach` (
	`account` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text NOT NULL,
	`seen_at` integer NOT NULL,
	`last_inbound_at` integer,
	PRIMARY KEY(`account`, `target_kind`, `target_id`)
);
--> statement-breakpoint
CREATE INDEX `account_reach_target_idx` ON `account_reach` (`target_kind`, `target_id`);
