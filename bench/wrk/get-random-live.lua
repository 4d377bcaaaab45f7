-- wrk script: GET a random live key of the benchmark table.
-- Rows are k1..kROWS in namespaces bench0..bench3 (i % 4); every 5th key (i % 5 == 0)
-- is gone (past its stale window), so it is stepped over. Each wrk thread seeds its own
-- generator. PACE_MS > 0 makes each connection wait that long between requests, for a
-- steady load below saturation (wrk's latency then counts from each send).
-- LAT_OUT names a file to which done() writes the raw latency histogram ("microseconds count"
-- per line), so bench/latency.py can merge several windows into exact percentiles.
-- BENCH_AUTH is the Authorization header of the run's key (bench/lib.sh). Used by bench/purge-at-scale.sh.
local rows = tonumber(os.getenv("ROWS") or "5000000")
local pace = tonumber(os.getenv("PACE_MS") or "0")
local auth = os.getenv("BENCH_AUTH")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
  local i = math.random(1, rows)
  if i % 5 == 0 then i = i - 1 end
  if i < 1 then i = 1 end
  return wrk.format("GET", "/v1/cache/bench" .. (i % 4) .. "/k" .. i, { ["Authorization"] = auth })
end

if pace > 0 then
  function delay()
    return pace
  end
end

local lat_out = os.getenv("LAT_OUT")
if lat_out and lat_out ~= "" then
  function done(summary, latency, requests)
    local f = assert(io.open(lat_out, "w"))
    for i = 1, #latency do
      local value, count = latency(i)
      f:write(string.format("%d %d\n", value, count))
    end
    f:close()
  end
end
