PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_tool_secrets` (
	`project_id` text NOT NULL,
	`tool_name` text NOT NULL,
	`name` text NOT NULL,
	`channel` text DEFAULT 'production' NOT NULL,
	`ciphertext` blob NOT NULL,
	`iv` blob NOT NULL,
	`key_id` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `tool_name`, `channel`, `name`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_tool_secrets`("project_id", "tool_name", "name", "channel", "ciphertext", "iv", "key_id", "updated_at") SELECT "project_id", "tool_name", "name", 'production', "ciphertext", "iv", "key_id", "updated_at" FROM `tool_secrets`;--> statement-breakpoint
DROP TABLE `tool_secrets`;--> statement-breakpoint
ALTER TABLE `__new_tool_secrets` RENAME TO `tool_secrets`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `scopes` text DEFAULT 'project:read tools:call' NOT NULL;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `successor` text;--> statement-breakpoint
UPDATE `api_keys` SET `scopes` = 'project:read tools:call draft' WHERE `channel` = 'draft';