-- POSTs fixed bodies (JSON-RPC requests, or the echo baseline's JSON) with the -H headers: one body is
-- wrk's static request (no Lua per request); several are sent in turn, one per request.
--   wrk -t1 -c32 -d11s -s post.lua -H 'content-type: application/json' -H 'authorization: Bearer …' URL \
--     -- seconds=10 body=call.json [body=other.json]
-- `seconds=` turns on the exact stop (common.lua); without it wrk simply runs for its -d.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

function init(args)
  local opts = bench.args(args)
  wrk.method = "POST"
  local bodies = assert(opts.body, "body=FILE is required")
  if #bodies == 1 then
    wrk.body = bench.read(bodies[1])
  else
    local requests = {}
    for i, path in ipairs(bodies) do requests[i] = wrk.format("POST", nil, nil, bench.read(path)) end
    local n, i = #requests, 0
    function request()
      i = i % n + 1
      return requests[i]
    end
  end
  if opts.seconds then bench.stopAfter(tonumber(opts.seconds[1])) end
end
