-- wrk script: POST /v1/tickets with a realistic body; every request creates a new ticket.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":"113-0000001"},"buyer":{"buyer_id":"b-1","name":"Anna","country":"US","time_zone":"America/New_York","language":"en","tier":"REGULAR"},"category":"LOGISTICS_DELAYED","channel":"MARKETPLACE_MESSAGE","subject":"Where is my parcel?","body":"It has been three weeks and the tracking has not moved."}]]

-- Count non-2xx answers so a failing run cannot pass for a fast one.
local bad = 0
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non_2xx=%d\n", bad))
end
