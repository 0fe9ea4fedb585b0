CREATE TABLE `coupons` (
	`code` text PRIMARY KEY NOT NULL,
	`member_id` integer NOT NULL,
	`reward_code` text NOT NULL,
	`status` text DEFAULT 'issued' NOT NULL,
	`ref` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reward_code`) REFERENCES `rewards`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupons_ref_uq` ON `coupons` (`ref`);--> statement-breakpoint
CREATE INDEX `coupons_member_idx` ON `coupons` (`member_id`,`status`);--> statement-breakpoint
CREATE TABLE `groups` (
	`room_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`store_code` text,
	`guide_code` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guide_code`) REFERENCES `staff`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `groups_store_idx` ON `groups` (`store_code`);--> statement-breakpoint
CREATE INDEX `groups_guide_idx` ON `groups` (`guide_code`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`contact_id` text,
	`name` text DEFAULT '' NOT NULL,
	`phone` text,
	`store_code` text,
	`guide_code` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`tier` text NOT NULL,
	`growth` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`birthday_kind` text,
	`birth_month` integer,
	`birth_day` integer,
	`birth_year` integer,
	`joined_at` integer,
	`last_active_at` integer,
	`last_purchase_at` integer,
	`order_count` integer DEFAULT 0 NOT NULL,
	`opted_out_at` integer,
	`referral_code` text NOT NULL,
	`referrer_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guide_code`) REFERENCES `staff`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_contact_uq` ON `members` (`contact_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_phone_uq` ON `members` (`phone`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_referral_uq` ON `members` (`referral_code`);--> statement-breakpoint
CREATE INDEX `members_guide_idx` ON `members` (`guide_code`);--> statement-breakpoint
CREATE INDEX `members_store_idx` ON `members` (`store_code`);--> statement-breakpoint
CREATE INDEX `members_active_idx` ON `members` (`last_active_at`);--> statement-breakpoint
CREATE INDEX `members_birthday_idx` ON `members` (`birthday_kind`,`birth_month`,`birth_day`);--> statement-breakpoint
CREATE TABLE `orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`member_id` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`ordered_at` integer NOT NULL,
	`store_code` text,
	`imported_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `orders_member_idx` ON `orders` (`member_id`,`ordered_at`);--> statement-breakpoint
CREATE TABLE `points_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`ref` text NOT NULL,
	`balance_after` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_ref_uq` ON `points_ledger` (`ref`);--> statement-breakpoint
CREATE INDEX `ledger_member_idx` ON `points_ledger` (`member_id`,`id`);--> statement-breakpoint
CREATE TABLE `rewards` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`cost` integer NOT NULL,
	`stock` integer,
	`per_member_limit` integer,
	`validity_days` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`store_code` text,
	`contact_id` text,
	`phone` text,
	`working_days` text DEFAULT '0123456' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`store_code`) REFERENCES `stores`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_contact_uq` ON `staff` (`contact_id`);--> statement-breakpoint
CREATE INDEX `staff_store_idx` ON `staff` (`store_code`,`role`);--> statement-breakpoint
CREATE TABLE `stores` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`city` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
