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
CREATE INDEX `member_events_pending_idx` ON `member_events` (`handled_at`,`id`);