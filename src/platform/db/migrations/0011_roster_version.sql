CREATE TABLE `roster_version` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`version` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `roster_version` (`id`, `version`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `staff_roster_insert` AFTER INSERT ON `staff` BEGIN UPDATE `roster_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `staff_roster_update` AFTER UPDATE ON `staff` BEGIN UPDATE `roster_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `staff_roster_delete` AFTER DELETE ON `staff` BEGIN UPDATE `roster_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE INDEX `members_activity_idx` ON `members` (coalesce(max(`last_active_at`, `last_purchase_at`), `last_active_at`, `last_purchase_at`, `joined_at`, `created_at`));
