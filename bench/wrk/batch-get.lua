dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
request = function() return batch_get(100) end
