dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
request = function()
  if math.random() < 0.9 then return get(hit_key()) end
  return put(hit_key())
end
