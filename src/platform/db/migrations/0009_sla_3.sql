DROP INDEX `sla_questions_status_idx`;--> statement-breakpoint
DROP INDEX `sla_questions_member_idx`;--> statement-breakpoint
CREATE INDEX `sla_questions_backlog_idx` ON `sla_questions` (`backlog_at`) WHERE status = 'open';