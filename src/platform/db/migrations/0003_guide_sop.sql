CREATE TABLE `guide_chat_picks` (
	`date` text NOT NULL,
	`guide_code` text NOT NULL,
	`member_id` integer NOT NULL,
	`rule` text NOT NULL,
	PRIMARY KEY(`date`, `guide_code`, `member_id`)
);
--> statement-breakpoint
CREATE INDEX `guide_chat_picks_member_idx` ON `guide_chat_picks` (`member_id`,`date`);--> statement-breakpoint
CREATE TABLE `guide_days` (
	`date` text NOT NULL,
	`guide_code` text NOT NULL,
	`store_code` text,
	`plan` text NOT NULL,
	`moments_quota` integer NOT NULL,
	`chats_quota` integer NOT NULL,
	`groups_quota` integer NOT NULL,
	`moments_done` integer DEFAULT 0 NOT NULL,
	`chats_done` integer DEFAULT 0 NOT NULL,
	`groups_done` integer DEFAULT 0 NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`total` integer NOT NULL,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`date`, `guide_code`)
);
--> statement-breakpoint
CREATE INDEX `guide_days_guide_idx` ON `guide_days` (`guide_code`,`date`);--> statement-breakpoint
CREATE INDEX `guide_days_store_idx` ON `guide_days` (`store_code`,`date`);--> statement-breakpoint
CREATE TABLE `guide_group_posts` (
	`date` text NOT NULL,
	`guide_code` text NOT NULL,
	`room_id` text NOT NULL,
	`message_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`date`, `guide_code`, `room_id`)
);
--> statement-breakpoint
CREATE TABLE `guide_questions` (
	`contact_id` text PRIMARY KEY NOT NULL,
	`room_id` text,
	`text` text NOT NULL,
	`asked_at` integer NOT NULL,
	`answered_at` integer
);
--> statement-breakpoint
CREATE INDEX `guide_questions_room_idx` ON `guide_questions` (`room_id`,`asked_at`);--> statement-breakpoint
CREATE INDEX `guide_questions_open_idx` ON `guide_questions` (`answered_at`,`asked_at`);--> statement-breakpoint
CREATE TABLE `guide_room_activity` (
	`room_id` text PRIMARY KEY NOT NULL,
	`last_staff_post_at` integer NOT NULL
);
