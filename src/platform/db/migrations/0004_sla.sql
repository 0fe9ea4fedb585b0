CREATE TABLE `sla_alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` integer NOT NULL,
	`tier` integer NOT NULL,
	`staff_code` text NOT NULL,
	`contact_id` text NOT NULL,
	`due_at` integer NOT NULL,
	`fired_at` integer NOT NULL,
	`bundle_key` text,
	`sent_at` integer,
	FOREIGN KEY (`question_id`) REFERENCES `sla_questions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sla_alerts_uq` ON `sla_alerts` (`question_id`,`tier`,`staff_code`);--> statement-breakpoint
CREATE INDEX `sla_alerts_pending_idx` ON `sla_alerts` (`staff_code`,`sent_at`);--> statement-breakpoint
CREATE TABLE `sla_questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conversation_id` text NOT NULL,
	`room_id` text,
	`conversation_name` text DEFAULT '' NOT NULL,
	`member_id` text NOT NULL,
	`member_name` text DEFAULT '' NOT NULL,
	`store_code` text,
	`guide_code` text,
	`first_message_id` text NOT NULL,
	`last_message_id` text NOT NULL,
	`preview` text DEFAULT '' NOT NULL,
	`message_count` integer DEFAULT 1 NOT NULL,
	`opened_at` integer NOT NULL,
	`last_message_at` integer NOT NULL,
	`target_due_at` integer NOT NULL,
	`backlog_at` integer NOT NULL,
	`escalated_tier` integer DEFAULT -1 NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`closed_by_message_id` text,
	`response_ms` integer,
	`response_business_ms` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sla_questions_open_uq` ON `sla_questions` (`conversation_id`,`member_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `sla_questions_status_idx` ON `sla_questions` (`status`,`backlog_at`);--> statement-breakpoint
CREATE INDEX `sla_questions_opened_idx` ON `sla_questions` (`opened_at`);--> statement-breakpoint
CREATE INDEX `sla_questions_member_idx` ON `sla_questions` (`member_id`,`status`);--> statement-breakpoint
CREATE TABLE `sla_surveys` (
	`question_id` integer PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`asked_at` integer NOT NULL,
	`send_at` integer NOT NULL,
	`rating` integer,
	`answered_at` integer,
	FOREIGN KEY (`question_id`) REFERENCES `sla_questions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sla_surveys_member_idx` ON `sla_surveys` (`member_id`,`asked_at`);