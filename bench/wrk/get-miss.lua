dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
request = function() return get(miss_key()) end
