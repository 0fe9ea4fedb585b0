CREATE TABLE `auto_replies` (
	`contact_id` text NOT NULL,
	`kind` text NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`contact_id`, `kind`)
);
--> statement-breakpoint
ALTER TABLE `group_spam` ADD `digest_at` integer;
