DROP INDEX `campaign_targets_target_idx`;--> statement-breakpoint
CREATE INDEX `campaign_targets_room_idx` ON `campaign_targets` (`target_id`,`at`) WHERE target_kind = 'room';