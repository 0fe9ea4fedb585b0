ALTER TABLE `sla_questions` ADD `unrouted_at` integer;
