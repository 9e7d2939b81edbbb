-- wrk script: POST alerts over a fixed set of fingerprints.
-- Env: PATH_KIND (native|events), KEYS (fingerprints), TOKEN (bearer or routing key).
local kind = os.getenv("PATH_KIND") or "native"
local keys = tonumber(os.getenv("KEYS") or "1000")
local token = os.getenv("TOKEN") or ""
function setup(thread) thread:set("id", 0) end

function init(args)
  math.randomseed(os.time() + (id or 0))
end

request = function()
  local key = "bench-" .. math.random(1, keys)
  if kind == "events" then
    local body = '{"routing_key":"' .. token .. '","event_action":"trigger","dedup_key":"' .. key ..
      '","payload":{"summary":"Benchmark alert ' .. key .. '","source":"bench","severity":"error"}}'
    return wrk.format("POST", "/v2/enqueue", {["Content-Type"] = "application/json"}, body)
  end
  local body = '{"title":"Benchmark alert ' .. key .. '","severity":"high","dedup_key":"' .. key .. '"}'
  return wrk.format("POST", "/v1/alerts",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
