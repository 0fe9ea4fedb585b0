CREATE TABLE `wakeup_episodes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`anchor_at` integer NOT NULL,
	`started_at` integer NOT NULL,
	`tier` text NOT NULL,
	`guide_code` text,
	`arm` text NOT NULL,
	`holdout_seed` text NOT NULL,
	`holdout_draw` real NOT NULL,
	`holdout_share` real NOT NULL,
	`stage` integer DEFAULT 0 NOT NULL,
	`last_step_at` integer,
	`status` text DEFAULT 'active' NOT NULL,
	`ended_at` integer,
	`end_reason` text,
	`end_text` text,
	`handed_over_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wakeup_episodes_silence_uq` ON `wakeup_episodes` (`member_id`,`anchor_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `wakeup_episodes_active_uq` ON `wakeup_episodes` (`member_id`) WHERE status = 'active';--> statement-breakpoint
CREATE INDEX `wakeup_episodes_status_idx` ON `wakeup_episodes` (`status`,`stage`);--> statement-breakpoint
CREATE TABLE `wakeup_steps` (
	`episode_id` integer NOT NULL,
	`stage` integer NOT NULL,
	`member_id` integer NOT NULL,
	`arm` text NOT NULL,
	`tier` text NOT NULL,
	`date` text NOT NULL,
	`at` integer NOT NULL,
	`channel` text NOT NULL,
	`account` text,
	`guide_code` text,
	`outbox_key` text,
	`outbox_id` integer,
	`not_before` integer,
	`expires_at` integer,
	`coupon_code` text,
	`text` text,
	PRIMARY KEY(`episode_id`, `stage`),
	FOREIGN KEY (`episode_id`) REFERENCES `wakeup_episodes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `wakeup_steps_budget_idx` ON `wakeup_steps` (`date`,`channel`,`arm`,`account`);--> statement-breakpoint
CREATE INDEX `wakeup_steps_guide_idx` ON `wakeup_steps` (`guide_code`,`date`);