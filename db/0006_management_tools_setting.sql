ALTER TABLE `projects` ADD `management_tools` text DEFAULT 'draft' NOT NULL;--> statement-breakpoint
-- Issue 16 #3: a project whose admin turned on the publish or settings tools opted in to management tools on both URLs
-- (as before, where every portico_* tool was offered on production); every other project gets the new default, draft only.
UPDATE `projects` SET `management_tools` = 'draft_and_production' WHERE `management_publish` = 1 OR `management_settings` = 1;
--> statement-breakpoint
ALTER TABLE `projects` DROP COLUMN `management_publish`;--> statement-breakpoint
ALTER TABLE `projects` DROP COLUMN `management_settings`;