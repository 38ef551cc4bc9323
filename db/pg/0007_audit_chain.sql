CREATE TABLE "audit_chains" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"pruned_seq" bigint DEFAULT 0 NOT NULL,
	"pruned_hash" text,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"public_jwk" text NOT NULL,
	"private_jwk" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "payload_hash" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "hash" text;--> statement-breakpoint
ALTER TABLE "org_audit_events" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "org_audit_events" ADD COLUMN "payload_hash" text;--> statement-breakpoint
ALTER TABLE "org_audit_events" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_chain_idx" ON "audit_events" USING btree ("project_id","chain_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "org_audit_chain_idx" ON "org_audit_events" USING btree ("org_id","chain_seq");