-- wrk script: the POST of post_ticket.lua with a time zone that does not exist. The gateway
-- reads it and calls CreateTicket as for any create; the tickets service refuses it in its own
-- checks, before the database. What this run reaches is the most any create could reach on the
-- machine if its database work cost nothing.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":"113-0000001"},"buyer":{"buyer_id":"b-1","name":"Anna","country":"US","time_zone":"Mars/Olympus_Mons","language":"en","tier":"REGULAR"},"category":"LOGISTICS_DELAYED","channel":"MARKETPLACE_MESSAGE","subject":"Where is my parcel?","body":"It has been three weeks and the tracking has not moved."}]]

-- Anything but the service's 400 is counted, under the key run_wrk reads: a run that never
-- reached the service, or that wrote a ticket, must not pass for the ceiling.
local bad = 0
function response(status, headers, body)
  if status ~= 400 or not string.find(body, "time_zone", 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non_2xx=%d\n", bad))
end
