ALTER TABLE `handshake_events` ADD `detail` text;--> statement-breakpoint
CREATE INDEX `handshake_client_idx` ON `handshake_events` (`client_id`,`id`);