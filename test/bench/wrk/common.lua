-- Shared by the benchmark's wrk scripts (each loads it with dofile from its own directory): arguments,
-- a monotonic clock, the exact stop, and a done() that prints one JSON line for test/bench/wrk.ts.
--
-- wrk runs this file in every thread's Lua state (init, delay, request, response) and once more in a
-- main state (setup, done); the two only talk through thread:get / thread:set (numbers, strings, tables).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

bench = {}

--- Seconds on the monotonic clock (LuaJIT's os.clock is CPU time, os.time whole seconds).
function bench.now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

--- The script's arguments (after wrk's `--`) as key=value pairs; every key maps to the list of its values
--- in order, since `body=` and `token=` repeat. wrk passes the URL too (index 0), which has no `=` key.
function bench.args(args)
  local out = {}
  for i = 0, #args do
    local key, value = tostring(args[i]):match("^(%a+)=(.*)$")
    if key then
      out[key] = out[key] or {}
      table.insert(out[key], value)
    end
  end
  return out
end

function bench.read(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

--- A copy of wrk.headers (the -H flags), for wrk.format calls that add a header: wrk.format uses the
--- table it is given instead of wrk.headers, not both.
function bench.headers(extra)
  local out = {}
  for name, value in pairs(wrk.headers) do out[name] = value end
  for name, value in pairs(extra or {}) do out[name] = value end
  return out
end

-- Per-thread tallies, read by done() through thread:get: requests written before the stop, and counts a
-- script keeps by kind of answer (only scripts that need a response() hook: it costs wrk CPU per answer).
sent = 0
counts = {}

--- Stops writing requests `seconds` after init, so that wrk — run with -d a little longer — ends with
--- nothing in flight: every request the server answered is one wrk counted, and the audit table can be
--- compared with wrk's totals exactly. wrk has no request-count bound and abandons in-flight requests at
--- its -d; a delay() hook is its only way to hold a connection back (about 3 µs of wrk CPU per request).
function bench.stopAfter(seconds)
  local deadline = bench.now() + seconds
  local now = bench.now
  function delay()
    if now() < deadline then
      sent = sent + 1
      return 0
    end
    return 3600 * 1000
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

local function encode(value)
  if type(value) == "number" then
    if value ~= value or value == math.huge or value == -math.huge then return "null" end
    return string.format("%.17g", value)
  elseif type(value) == "table" then
    local parts = {}
    for k, v in pairs(value) do table.insert(parts, string.format("%q:%s", tostring(k), encode(v))) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif value == nil then
    return "null"
  end
  return string.format("%q", tostring(value))
end

--- One line, `BENCH_WRK {…}`: wrk's totals, its latency distribution (µs, after wrk's own
--- coordinated-omission correction) and the per-thread tallies summed.
function done(summary, latency)
  local written, tally, stopping = 0, {}, false
  for _, thread in ipairs(threads) do
    local n = thread:get("sent")
    written = written + (n or 0)
    stopping = stopping or (n or 0) > 0
    for k, v in pairs(thread:get("counts") or {}) do tally[k] = (tally[k] or 0) + v end
  end
  io.write("BENCH_WRK ", encode({
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors = summary.errors,
    sent = stopping and written or nil,
    counts = tally,
    latency_us = {
      p50 = latency:percentile(50), p90 = latency:percentile(90), p99 = latency:percentile(99),
      max = latency.max, mean = latency.mean,
    },
  }), "\n")
end
