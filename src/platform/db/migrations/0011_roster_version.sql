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
