CREATE TABLE "portico_changes" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "portico_changes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"topics" text NOT NULL,
	"origin" text NOT NULL,
	"created_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portico_instances" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL,
	"heartbeat_at" bigint NOT NULL,
	"acked_seq" bigint DEFAULT 0 NOT NULL
);
