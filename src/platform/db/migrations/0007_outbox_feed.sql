ALTER TABLE `outbox` ADD `fed_at` integer;
--> statement-breakpoint
ALTER TABLE `outbox` ADD `fed_gen` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `outbox` ADD `deferred_until` integer;
--> statement-breakpoint
ALTER TABLE `outbox` ADD `deferred_why` text;
--> statement-breakpoint
CREATE INDEX `outbox_feed_idx` ON `outbox` (`account`,`priority`,coalesce(`deferred_until`, `not_before`, 0),`id`) WHERE `status` = 'queued' AND `fed_at` IS NULL;
--> statement-breakpoint
CREATE INDEX `outbox_fed_idx` ON `outbox` (`account`,`fed_at`) WHERE `status` = 'queued' AND `fed_at` IS NOT NULL;
