ALTER TABLE `audit_events` ADD `protocol_version` text;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `traceparent` text;--> statement-breakpoint
ALTER TABLE `grants` ADD `protocol_version` text;--> statement-breakpoint
ALTER TABLE `handshake_events` ADD `protocol_version` text;--> statement-breakpoint
ALTER TABLE `oauth_clients` ADD `application_type` text;