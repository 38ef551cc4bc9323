// The baseline: a raw Bun server that reads the JSON body and writes a JSON reply.
const server = Bun.serve({
  port: Number(process.argv[2] ?? 0),
  hostname: "127.0.0.1",
  async fetch(req) {
    const body = (await req.json()) as { id?: unknown };
    return Response.json({ jsonrpc: "2.0", id: body.id ?? null, result: { echoed: body } });
  },
});
console.log(server.port);
