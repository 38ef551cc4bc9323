/**
 * One instance's change feed in its own process, for test/db/pg-change-feed.test.ts and
 * test/bench/pg-change-feed.ts. Args: database URL, marker file ("" for none), subscriber delay in ms.
 * Prints JSON lines: `{"ready":id}` once started, `{"change":{version,topics}}` per change heard,
 * `{"waited":ms}` / `{"failed":message}` per wait. Reads commands on stdin: `announce t1,t2`,
 * `wait t1,t2 TIMEOUT_MS`, `exit`. The subscriber first busy-waits the delay, then appends the change to the
 * marker file, so the file shows the subscriber has finished.
 */
import { SQL } from "bun";
import { appendFileSync } from "node:fs";
import { PgChangeFeed } from "../../src/db/pg/change-feed";
import type { Topic } from "../../src/lib/change-feed";

const [url = "", marker = "", delay = "0"] = process.argv.slice(2);
const sql = new SQL(url, { max: 4 });
const feed = await PgChangeFeed.start(sql, { onError: () => {} });
const say = (line: unknown) => process.stdout.write(JSON.stringify(line) + "\n");

feed.subscribe((change) => {
  const until = performance.now() + Number(delay);
  while (performance.now() < until) {
    // Busy: a subscriber that takes a while, so the test can tell "applied" from "heard".
  }
  const line = { version: change.version, topics: change.topics ? [...change.topics].sort() : null };
  if (marker) appendFileSync(marker, JSON.stringify(line) + "\n");
  say({ change: line });
});
say({ ready: feed.instanceId });

const topicsOf = (text = "") => text.split(",").filter(Boolean) as Topic[];
let buffered = "";
for await (const chunk of Bun.stdin.stream()) {
  buffered += new TextDecoder().decode(chunk);
  let nl: number;
  while ((nl = buffered.indexOf("\n")) >= 0) {
    const [cmd, topics, timeout] = buffered.slice(0, nl).trim().split(" ");
    buffered = buffered.slice(nl + 1);
    if (cmd === "announce") feed.announce(topicsOf(topics));
    if (cmd === "wait") {
      const started = performance.now();
      feed.announceAndWait(topicsOf(topics), Number(timeout)).then(
        () => say({ waited: performance.now() - started }),
        (err: Error) => say({ failed: err.message }),
      );
    }
    if (cmd === "exit") {
      await feed.close();
      await sql.close();
      process.exit(0);
    }
  }
}
