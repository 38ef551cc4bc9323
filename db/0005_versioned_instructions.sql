-- Instructions become versioned like tools (issue 16 #4): production now serves the instructions in the
-- snapshot of the version it is pinned to, where until now it served projects.instructions, the live text.
-- So nothing served changes on upgrade, today's live text is written into the snapshot of each project's
-- CURRENT production version. Other versions keep the text they were published with; the draft
-- (projects.instructions) is unchanged. json_set replaces the one key in place.
UPDATE `versions` SET `snapshot` = json_set(`snapshot`, '$.instructions', (
  SELECT `p`.`instructions` FROM `projects` `p` WHERE `p`.`production_version_id` = `versions`.`id`
))
WHERE `id` IN (SELECT `production_version_id` FROM `projects` WHERE `production_version_id` IS NOT NULL);
