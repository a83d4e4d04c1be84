-- wrk script for `make soak`: the companion server's scripted routes mixed,
-- each request with its own run id among many (so the run log's bounds are
-- exercised, not one run): a preflight and a request on /policy/, a replay
-- (preflight and request), and a read of /log/.
local page = "http://localhost:5050"
local origin = "origin=http%3A%2F%2Flocalhost%3A5050"
local n = 0
request = function()
  n = n + 1
  local run = "soak" .. (n % 4096)
  local kind = n % 5
  if kind == 0 then
    return wrk.format("OPTIONS", "/policy/" .. run .. "?" .. origin .. "&method=PUT&header=X-Custom&max_age=600",
      { ["Origin"] = page, ["Access-Control-Request-Method"] = "PUT", ["Access-Control-Request-Headers"] = "x-custom" })
  elseif kind == 1 then
    return wrk.format("PUT", "/policy/" .. run .. "?" .. origin .. "&method=PUT&header=X-Custom",
      { ["Origin"] = page, ["X-Custom"] = "1", ["Sec-Fetch-Mode"] = "cors" }, "x")
  elseif kind == 2 then
    return wrk.format("OPTIONS", "/replay/" .. run .. "?" .. origin .. "&ps=204&ph=Access-Control-Allow-Origin%3A%7Borigin%7D&s=200&h=Access-Control-Allow-Origin%3A%7Borigin%7D&b=ok",
      { ["Origin"] = page, ["Access-Control-Request-Method"] = "PUT" })
  elseif kind == 3 then
    return wrk.format("GET", "/replay/" .. run .. "?" .. origin .. "&s=200&h=Access-Control-Allow-Origin%3A%7Borigin%7D&h=Set-Cookie%3Aa%3Db&b=ok",
      { ["Origin"] = page, ["Sec-Fetch-Mode"] = "cors" })
  else
    return wrk.format("GET", "/log/" .. run, { ["Origin"] = page, ["Sec-Fetch-Mode"] = "cors" })
  end
end

-- Counts what is not a success: 5xx answers (wrk counts connection errors
-- and timeouts itself); every route answers 2xx here.
local bad = 0
response = function(status, headers, body)
  if status >= 500 then bad = bad + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("soak-mixed: %d requests, %d 5xx\n", summary.requests, bad))
end
