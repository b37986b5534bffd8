-- wrk script: count non-2xx answers of a GET run. With BENCH_TOKEN set, the GET carries it as
-- its bearer token.
local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local bad = 0
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non_2xx=%d\n", bad))
end
