CREATE TABLE "mcp_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"credential" text NOT NULL,
	"org_id" text NOT NULL,
	"project_id" text NOT NULL,
	"channel" text NOT NULL,
	"protocol_version" text NOT NULL,
	"client_info" text,
	"client_capabilities" text NOT NULL,
	"log_level" text NOT NULL,
	"grant_id" text,
	"api_key_id" text,
	"login_session_id" text,
	"user_id" text,
	"role" text,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mcp_sessions" ADD CONSTRAINT "mcp_sessions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mcp_sessions_last_seen_idx" ON "mcp_sessions" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "mcp_sessions_project_idx" ON "mcp_sessions" USING btree ("project_id");