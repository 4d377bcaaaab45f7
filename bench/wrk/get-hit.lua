dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
request = function() return get(hit_key()) end
