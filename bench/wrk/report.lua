-- Shared by the bench wrk scripts (loaded with dofile): counts every response that is not 2xx, by status,
-- and prints one machine-readable line at the end, which bench/lib.sh parses:
--   bench: requests=N seconds=S rps=R p50_ms=X p99_ms=Y non2xx=N socket_errors=N statuses=500:3,503:1
-- Each wrk thread has its own Lua state; setup() keeps the threads so done() can add up their counts.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  statuses = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad, by_status = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    for status, n in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + n
    end
  end
  local listed = {}
  for status, n in pairs(by_status) do table.insert(listed, status .. ":" .. n) end
  table.sort(listed)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "bench: requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d statuses=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    bad, e.connect + e.read + e.write + e.timeout,
    #listed > 0 and table.concat(listed, ",") or "-"))
end
