CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`last_inbound_at` integer
);
--> statement-breakpoint
CREATE TABLE `coupons` (
	`code` text PRIMARY KEY NOT NULL,
	`member_id` integer NOT NULL,
	`reward_code` text NOT NULL,
	`status` text DEFAULT 'issued' NOT NULL,
	`ref` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reward_code`) REFERENCES `rewards`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupons_ref_uq` ON `coupons` (`ref`);--> statement-breakpoint
CREATE INDEX `coupons_member_idx` ON `coupons` (`member_id`,`status`);--> statement-breakpoint
CREATE TABLE `groups` (
	`room_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`store_code` text,
	`guide_code` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guide_code`) REFERENCES `staff`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `groups_store_idx` ON `groups` (`store_code`);--> statement-breakpoint
CREATE INDEX `groups_guide_idx` ON `groups` (`guide_code`);--> statement-breakpoint
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
CREATE INDEX `inbound_time_idx` ON `inbound_messages` (`provider_at`);--> statement-breakpoint
CREATE TABLE `member_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`ref` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL,
	`handled_at` integer,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_events_ref_uq` ON `member_events` (`ref`);--> statement-breakpoint
CREATE INDEX `member_events_pending_idx` ON `member_events` (`handled_at`,`id`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`contact_id` text,
	`name` text DEFAULT '' NOT NULL,
	`phone` text,
	`store_code` text,
	`guide_code` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`tier` text NOT NULL,
	`growth` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`birthday_kind` text,
	`birth_month` integer,
	`birth_day` integer,
	`birth_year` integer,
	`joined_at` integer,
	`last_active_at` integer,
	`last_purchase_at` integer,
	`order_count` integer DEFAULT 0 NOT NULL,
	`opted_out_at` integer,
	`referral_code` text NOT NULL,
	`referrer_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guide_code`) REFERENCES `staff`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_contact_uq` ON `members` (`contact_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_phone_uq` ON `members` (`phone`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_referral_uq` ON `members` (`referral_code`);--> statement-breakpoint
CREATE INDEX `members_guide_idx` ON `members` (`guide_code`);--> statement-breakpoint
CREATE INDEX `members_store_idx` ON `members` (`store_code`);--> statement-breakpoint
CREATE INDEX `members_active_idx` ON `members` (`last_active_at`);--> statement-breakpoint
CREATE INDEX `members_birthday_idx` ON `members` (`birthday_kind`,`birth_month`,`birth_day`);--> statement-breakpoint
CREATE TABLE `opt_outs` (
	`contact_id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`member_id` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`ordered_at` integer NOT NULL,
	`store_code` text,
	`imported_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `orders_member_idx` ON `orders` (`member_id`,`ordered_at`);--> statement-breakpoint
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
CREATE TABLE `points_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`ref` text NOT NULL,
	`balance_after` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_ref_uq` ON `points_ledger` (`ref`);--> statement-breakpoint
CREATE INDEX `ledger_member_idx` ON `points_ledger` (`member_id`,`id`);--> statement-breakpoint
CREATE TABLE `rewards` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`cost` integer NOT NULL,
	`stock` integer,
	`per_member_limit` integer,
	`validity_days` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
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
--> statement-breakpoint
CREATE TABLE `staff` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`store_code` text,
	`contact_id` text,
	`phone` text,
	`working_days` text DEFAULT '0123456' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_contact_uq` ON `staff` (`contact_id`);--> statement-breakpoint
CREATE INDEX `staff_store_idx` ON `staff` (`store_code`,`role`);--> statement-breakpoint
CREATE TABLE `stores` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`city` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
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
CREATE INDEX `operator_actions_at_idx` ON `operator_actions` (`at`);--> statement-breakpoint
CREATE TABLE `friend_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`account` text NOT NULL,
	`contact_id` text NOT NULL,
	`contact_name` text DEFAULT '' NOT NULL,
	`hello` text DEFAULT '' NOT NULL,
	`channel` text NOT NULL,
	`store_code` text,
	`guide_code` text,
	`unknown_code` text,
	`returning` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`received_at` integer NOT NULL,
	`received_day` text NOT NULL,
	`cap_day` text,
	`due_at` integer,
	`accepted_at` integer,
	`accepted_day` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `friend_requests_status_idx` ON `friend_requests` (`account`,`status`,`cap_day`);--> statement-breakpoint
CREATE INDEX `friend_requests_contact_idx` ON `friend_requests` (`contact_id`);--> statement-breakpoint
CREATE INDEX `friend_requests_day_idx` ON `friend_requests` (`received_day`);--> statement-breakpoint
CREATE INDEX `friend_requests_accepted_idx` ON `friend_requests` (`accepted_day`);--> statement-breakpoint
CREATE TABLE `friends` (
	`contact_id` text PRIMARY KEY NOT NULL,
	`account` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`store_code` text,
	`guide_code` text,
	`channel` text NOT NULL,
	`status` text DEFAULT 'friend' NOT NULL,
	`first_added_at` integer NOT NULL,
	`last_added_at` integer NOT NULL,
	`add_count` integer DEFAULT 1 NOT NULL,
	`welcomed_at` integer,
	`confirmed_at` integer,
	`removed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `friends_store_idx` ON `friends` (`store_code`,`guide_code`);--> statement-breakpoint
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
--> statement-breakpoint
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
	`next_due_at` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`closed_by_message_id` text,
	`response_ms` integer,
	`response_business_ms` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sla_questions_open_uq` ON `sla_questions` (`conversation_id`,`member_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `sla_questions_backlog_idx` ON `sla_questions` (`backlog_at`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `sla_questions_due_idx` ON `sla_questions` (`next_due_at`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `sla_questions_opened_idx` ON `sla_questions` (`opened_at`);--> statement-breakpoint
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
CREATE INDEX `sla_surveys_member_idx` ON `sla_surveys` (`member_id`,`asked_at`);--> statement-breakpoint
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