-- wrk script for `make soak`: POST /probe from the explainer's origin,
-- checking a local target of the soak's own; run with few connections so
-- the probe's guard (at most 4 checks at once) lets every one through.
wrk.method = "POST"
wrk.headers["Origin"] = "http://localhost:5050"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Sec-Fetch-Mode"] = "cors"
wrk.body = os.getenv("PROBE_BODY")
local bad = 0
local busy = 0
response = function(status, headers, body)
  if status == 429 then busy = busy + 1 elseif status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("soak-probe: %d requests, %d not 200 (of which %d busy 429)\n", summary.requests, bad + busy, busy))
end
