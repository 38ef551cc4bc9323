-- Rotating refresh-token chains: each wrk thread (run with as many connections as threads, so one each)
-- is one chain that sends the refresh token the previous answer returned — rotation means a token is
-- good once (RFC 9700 §2.2.2; OAuth 2.1 §4.3.1), so the load is a closed loop per chain.
--   wrk -t4 -c4 -d11s -s refresh.lua URL/oauth/token -- seconds=10 client=ID token=T1 token=T2 token=T3 token=T4
-- counts: ok = 200 with a new refresh token, failed = anything else (the chain then repeats a spent
-- token, which the server answers with an error; every later request of that chain fails too).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

counts = { ok = 0, failed = 0 }

local function form(value)
  return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local opts = bench.args(args)
  local token = assert(opts.token and opts.token[thread_index], "one token= per thread is required")
  local prefix = "grant_type=refresh_token&client_id=" .. form(opts.client[1]) .. "&refresh_token="
  local headers = bench.headers({ ["content-type"] = "application/x-www-form-urlencoded" })

  function request()
    return wrk.format("POST", nil, headers, prefix .. form(token))
  end

  function response(status, _, body)
    local successor = status == 200 and body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if successor then
      token = successor
      counts.ok = counts.ok + 1
    else
      counts.failed = counts.failed + 1
    end
  end

  if opts.seconds then bench.stopAfter(tonumber(opts.seconds[1])) end
end
