ALTER TABLE "audit_events" ADD COLUMN "protocol_version" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "traceparent" text;--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "protocol_version" text;--> statement-breakpoint
ALTER TABLE "handshake_events" ADD COLUMN "protocol_version" text;--> statement-breakpoint
ALTER TABLE "oauth_clients" ADD COLUMN "application_type" text;