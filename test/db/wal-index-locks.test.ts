/**
 * Watching the wal-index must not cost SQLite its locks (src/db/wal-index.ts): with the header read through
 * a memory map, `Bun.mmap` closed its descriptor and so dropped SQLite's POSIX locks on the -shm; the next
 * process to open the database (a CLI command beside a running server) reinitialised the file under the
 * server, which died of SIGBUS. Here a writer that watches the wal-index keeps committing while other
 * processes open the same database and read it; the writer must live to the end.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../helpers";

setDefaultTimeout(60_000);

test("a server watching the wal-index survives other processes opening its database", async () => {
  const dataDir = tempDir();
  const writer = Bun.spawn([process.execPath, join(import.meta.dir, "wal-writer-child.ts"), dataDir, "4000"], { stdout: "pipe", stderr: "pipe" });
  const reader = writer.stdout.getReader();
  let out = "";
  while (!out.includes("ready")) {
    const chunk = await reader.read();
    if (chunk.done) break;
    out += new TextDecoder().decode(chunk.value);
  }
  const script = `const { Database } = require("bun:sqlite"); const d = new Database(${JSON.stringify(join(dataDir, "portico.db"))}, { readonly: true }); d.query("SELECT count(*) FROM settings").get(); d.close();`;
  for (let i = 0; i < 6; i++) {
    const opened = Bun.spawn([process.execPath, "-e", script], { stdout: "ignore", stderr: "pipe" });
    expect(await opened.exited).toBe(0);
  }
  const code = await writer.exited;
  expect({ code, signal: writer.signalCode, err: await new Response(writer.stderr).text() }).toEqual({ code: 0, signal: null, err: "" });
});
