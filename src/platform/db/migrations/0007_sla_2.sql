ALTER TABLE `sla_questions` ADD `next_due_at` integer;--> statement-breakpoint
CREATE INDEX `sla_questions_due_idx` ON `sla_questions` (`next_due_at`) WHERE status = 'open';