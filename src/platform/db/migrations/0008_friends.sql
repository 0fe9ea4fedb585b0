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
CREATE INDEX `friends_store_idx` ON `friends` (`store_code`,`guide_code`);