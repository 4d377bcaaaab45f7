-- GET hits at a set rate instead of flat out: each connection waits a random time (exponential,
-- mean BENCH_DELAY_MS) before each request, so the connections together offer about
-- connections * 1000 / BENCH_DELAY_MS requests per second at random moments. wrk is a closed
-- loop, so the achieved rate is reported next to the target (wrk2 is not in Debian).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local mean = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
request = function() return get(hit_key()) end
delay = function() return math.floor(-math.log(1 - math.random()) * mean + 0.5) end
