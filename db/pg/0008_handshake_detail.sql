ALTER TABLE "handshake_events" ADD COLUMN "detail" text;--> statement-breakpoint
CREATE INDEX "handshake_client_idx" ON "handshake_events" USING btree ("client_id","id");