ALTER TABLE `members` ADD `unionid` text;
--> statement-breakpoint
CREATE UNIQUE INDEX `members_unionid_uq` ON `members` (`unionid`);
--> statement-breakpoint
CREATE TABLE `member_links` (
	`contact_id` text PRIMARY KEY NOT NULL,
	`member_id` integer NOT NULL,
	`source` text NOT NULL,
	`linked_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_links_member_idx` ON `member_links` (`member_id`);
--> statement-breakpoint
CREATE TABLE `member_bindings` (
	`contact_id` text PRIMARY KEY NOT NULL,
	`contact_name` text DEFAULT '' NOT NULL,
	`command` text NOT NULL,
	`state` text NOT NULL,
	`member_id` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `member_bindings_member_idx` ON `member_bindings` (`member_id`);
