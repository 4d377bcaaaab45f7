dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
request = function() return put(hit_key()) end
