-- Shared by the wrk scenarios: key space and auth come from the environment.
local n = tonumber(os.getenv("BENCH_ENTRIES") or "10000")
local auth = os.getenv("BENCH_AUTH")
local ns = os.getenv("BENCH_NS") or "bench"
local value = '{"number":"0x121eac0","hash":"0x' .. string.rep("ab", 32) .. '","transactions":["0x' .. string.rep("cd", 32) .. '"],"pad":"' .. string.rep("x", 600) .. '"}'

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function key(i) return "k" .. i end
function hit_key() return key(math.random(0, n - 1)) end
function miss_key() return "miss-" .. math.random(0, 1000000000) end

function get(k)
  return wrk.format("GET", "/v1/cache/" .. ns .. "/" .. k, { ["Authorization"] = auth })
end

function put(k)
  return wrk.format("PUT", "/v1/cache/" .. ns .. "/" .. k .. "?ttl=1h", { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, value)
end

-- count distinct keys: a batch-get that names a key twice is a 400
function batch_get(count)
  local keys, seen = {}, {}
  while #keys < math.min(count, n) do
    local k = hit_key()
    if not seen[k] then seen[k] = true; keys[#keys + 1] = '"' .. k .. '"' end
  end
  return wrk.format("POST", "/v1/cache/" .. ns .. "/batch-get", { ["Authorization"] = auth, ["Content-Type"] = "application/json" },
    '{"keys":[' .. table.concat(keys, ",") .. ']}')
end

-- wrk counts non-2xx/3xx answers; a hit scenario that misses would show up there
