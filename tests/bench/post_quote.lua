-- wrk script: POST /v1/returns:quote with the case in quote_case.json (path in QUOTE_CASE).
local f = assert(io.open(os.getenv("QUOTE_CASE"), "r"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = f:read("*a")
f:close()

local bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non_2xx=%d\n", bad))
end
