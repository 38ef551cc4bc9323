-- The 2025-11-25 Streamable HTTP handshake under load: `initialize` (no session), then
-- `notifications/initialized` carrying the Mcp-Session-Id that answer created (MCP 2025-11-25, Basic /
-- Transports, "Session Management"). wrk does not say which connection an answer came on, so the session
-- ids queue up: every request is an initialized for a waiting session, or else a new initialize.
--   wrk -t1 -c32 -d11s -s handshake.lua -H … URL -- seconds=10 body=initialize.json body=initialized.json
-- counts: initialize = 200 with a session id, initialized = 202, other = anything else.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

counts = { initialize = 0, initialized = 0, other = 0 }

function init(args)
  local opts = bench.args(args)
  local bodies = assert(opts.body, "body=INITIALIZE body=INITIALIZED are required")
  local initialize = wrk.format("POST", nil, nil, bench.read(bodies[1]))
  local initialized = bench.read(bodies[2])
  local waiting, head, tail = {}, 1, 0

  function request()
    if head > tail then return initialize end
    local session = waiting[head]
    waiting[head] = nil
    head = head + 1
    return wrk.format("POST", nil, bench.headers({ ["mcp-session-id"] = session }), initialized)
  end

  function response(status, headers)
    local session = headers["mcp-session-id"] or headers["Mcp-Session-Id"]
    if status == 200 and session then
      tail = tail + 1
      waiting[tail] = session
      counts.initialize = counts.initialize + 1
    elseif status == 202 then
      counts.initialized = counts.initialized + 1
    else
      counts.other = counts.other + 1
    end
  end

  if opts.seconds then bench.stopAfter(tonumber(opts.seconds[1])) end
end
