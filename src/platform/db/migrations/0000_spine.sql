CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`last_inbound_at` integer
);
--> statement-breakpoint
CREATE TABLE `inbound_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`account` text NOT NULL,
	`conversation_id` text NOT NULL,
	`talker_id` text NOT NULL,
	`room_id` text,
	`type` text NOT NULL,
	`text` text DEFAULT '' NOT NULL,
	`mention_self` integer DEFAULT false NOT NULL,
	`provider_at` integer NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inbound_conversation_idx` ON `inbound_messages` (`conversation_id`,`provider_at`);--> statement-breakpoint
CREATE INDEX `inbound_talker_idx` ON `inbound_messages` (`talker_id`,`provider_at`);--> statement-breakpoint
CREATE TABLE `opt_outs` (
	`contact_id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`account` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text NOT NULL,
	`content` text NOT NULL,
	`purpose` text NOT NULL,
	`priority` integer NOT NULL,
	`not_before` integer,
	`expires_at` integer,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`claimed_by` text,
	`reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_key_uq` ON `outbox` (`key`);--> statement-breakpoint
CREATE INDEX `outbox_status_idx` ON `outbox` (`status`);--> statement-breakpoint
CREATE INDEX `outbox_target_sent_idx` ON `outbox` (`target_id`,`sent_at`);--> statement-breakpoint
CREATE TABLE `rooms` (
	`id` text PRIMARY KEY NOT NULL,
	`topic` text DEFAULT '' NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`last_message_at` integer
);
--> statement-breakpoint
CREATE TABLE `schedule_runs` (
	`name` text NOT NULL,
	`slot` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	PRIMARY KEY(`name`, `slot`)
);
