DROP INDEX `wakeup_episodes_status_idx`;--> statement-breakpoint
CREATE INDEX `wakeup_episodes_due_idx` ON `wakeup_episodes` (`status`,`stage`,`anchor_at`);