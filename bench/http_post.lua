-- wrk: POST the file named by $FLOW_BODY to the URL, over and over. With
-- $FLOW_COUNT set it also counts the answers by status and prints them at the
-- end ("status 202 N"), with the p99 latency ("p99_ms X"); without, wrk reads
-- no response in Lua, so the request rate is wrk's own (bench/http.sh).
local file = assert(io.open(assert(os.getenv("FLOW_BODY"), "set FLOW_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "text/plain"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if os.getenv("FLOW_COUNT") then
  function init(args)
    statuses = {}
  end

  function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {}) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
  io.write(string.format("p99_ms %.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("requests_per_s %.1f\n", summary.requests / (summary.duration / 1e6)))
end
