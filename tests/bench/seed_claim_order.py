#!/usr/bin/env python3
"""Seeds the claims benchmark's order through the gateway: one order with 50 tracking events,
1,000 messages over 10 tickets and 3 refunded returns; then one claim on it. Prints the claim id.
Usage: seed_claim_order.py HTTP_PORT"""
import http.client
import json
import sys

port = int(sys.argv[1])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
ORDER = "117-0000001"


def call(method, path, body, role="admin"):
    headers = {"Content-Type": "application/json", "X-Dev-Role": role}
    conn.request(method, path, json.dumps(body), headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        sys.exit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data)


call("PUT", f"/v1/stores/store-1/orders/{ORDER}", {
    "marketplace": "AMAZON", "site": "US", "buyer": {"buyer_id": "b-1"},
    "ship_to": {"city": "Portland", "postcode": "97201", "country": "US"},
    "ordered_at": "2026-10-01T08:00:00Z",
    "items": [{"sku": f"SKU-{i}", "title": f"Item {i}", "quantity": 1,
               "price": {"currency_code": "USD", "amount_minor": 2000}} for i in range(3)]}, "service")
shipment = call("POST", f"/v1/stores/store-1/orders/{ORDER}/shipments",
                {"carrier": "UPS", "tracking_number": "1ZBENCH0001"}, "service")["shipment"]["shipment_id"]
for i in range(50):
    code = "DELIVERED" if i == 49 else "IN_TRANSIT"
    call("POST", f"/v1/stores/store-1/orders/{ORDER}/shipments/{shipment}/events", {"event": {
        "occurred_at": f"2026-10-{2 + i // 5:02d}T{(i % 5) * 4:02d}:00:00Z", "code": code,
        "city": "Portland" if i == 49 else f"Hub {i}", "postcode": "97201" if i == 49 else "",
        "country": "US"}}, "service")
for t in range(10):
    ticket = call("POST", "/v1/tickets", {
        "store_id": "store-1", "order": {"marketplace": "AMAZON", "site": "US", "order_id": ORDER},
        "buyer": {"buyer_id": "b-1"}, "category": "LOGISTICS_DELAYED", "channel": "EMAIL",
        "subject": f"Question {t}", "body": f"Where is my parcel? ({t}) 我还没有收到包裹"})["ticket"]["ticket_id"]
    for m in range(99):
        outbound = m % 2 == 1
        call("POST", f"/v1/tickets/{ticket}/messages", {
            "direction": "OUTBOUND" if outbound else "INBOUND",
            "body": (f"UPS shows your parcel on its way, tracking 1ZBENCH0001 (update {m})." if outbound
                     else f"Still waiting for my parcel, message {m}. Can you check again please?")})
for r in range(3):
    ret = call("POST", "/v1/returns", {"return_case": {
        "store_id": "store-1", "order": {"marketplace": "AMAZON", "site": "US", "order_id": ORDER},
        "buyer_country": "US", "fulfillment": "MERCHANT", "category": "GENERAL",
        "item_price": {"currency_code": "USD", "amount_minor": 2000},
        "item_cost": {"currency_code": "USD", "amount_minor": 800}, "quantity": 1,
        "ordered_at": "2026-10-01T08:00:00Z", "delivered_at": "2026-10-11T16:00:00Z",
        "requested_at": "2026-10-20T00:00:00Z", "reason": "DEFECTIVE", "condition": "USED",
        "weight_grams": 500}, "buyer": {"buyer_id": "b-1"}})["return"]["return_id"]
    call("POST", f"/v1/returns/{ret}:authorize", {})
    call("POST", f"/v1/returns/{ret}:refund", {})
claim = call("POST", "/v1/claims", {
    "store_id": "store-1", "marketplace_claim_id": "AZ-BENCH-1",
    "order": {"marketplace": "AMAZON", "site": "US", "order_id": ORDER}, "kind": "A_TO_Z",
    "reason": "NOT_RECEIVED", "amount": {"currency_code": "USD", "amount_minor": 6000},
    "opened_at": "2026-11-20T12:00:00Z"})["claim"]["claim_id"]
print(claim)
