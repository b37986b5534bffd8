-- wrk script: a GET carrying BENCH_TOKEN as its bearer token; counts non-2xx answers.
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
