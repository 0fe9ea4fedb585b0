ALTER TABLE `outbox` ADD `rerouted` integer DEFAULT 0 NOT NULL;
