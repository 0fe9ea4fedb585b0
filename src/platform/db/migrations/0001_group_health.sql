CREATE TABLE `group_accounts` (
	`account` text PRIMARY KEY NOT NULL,
	`self_id` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `group_memberships` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`room_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`contact_name` text DEFAULT '' NOT NULL,
	`joined_at` integer NOT NULL,
	`how` text NOT NULL,
	`inviter_id` text,
	`left_at` integer,
	`left_how` text,
	`remover_id` text,
	`welcome_batch_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_memberships_open_uq` ON `group_memberships` (`room_id`,`contact_id`) WHERE left_at is null;--> statement-breakpoint
CREATE INDEX `group_memberships_room_idx` ON `group_memberships` (`room_id`,`joined_at`);--> statement-breakpoint
CREATE INDEX `group_memberships_left_idx` ON `group_memberships` (`room_id`,`left_at`);--> statement-breakpoint
CREATE INDEX `group_memberships_batch_idx` ON `group_memberships` (`welcome_batch_id`);--> statement-breakpoint
CREATE TABLE `group_spam` (
	`message_id` text PRIMARY KEY NOT NULL,
	`room_id` text NOT NULL,
	`talker_id` text NOT NULL,
	`talker_name` text DEFAULT '' NOT NULL,
	`kind` text NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`raw` text NOT NULL,
	`posted_at` integer NOT NULL,
	`alerted_to` text,
	`alert_key` text,
	`no_alert_reason` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `group_spam_room_idx` ON `group_spam` (`room_id`,`posted_at`);--> statement-breakpoint
CREATE INDEX `group_spam_time_idx` ON `group_spam` (`posted_at`);--> statement-breakpoint
CREATE TABLE `group_welcome_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`room_id` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`opened_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`size` integer,
	`reason` text,
	`closed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_welcome_open_uq` ON `group_welcome_batches` (`room_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `group_welcome_status_idx` ON `group_welcome_batches` (`status`);