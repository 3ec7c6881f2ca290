#!/usr/bin/env bash
# PaymentOptions' own curl example for purchase API v1 (../shared/seeds/001_964ddc3b7876e59b.txt,
# shown twice on the page, identically). Unchanged except what the page leaves for the reader to
# fill in: the URL's host (the sandbox, keeping the page's doubled /api/v1/api/v1 path), the
# <api-key> placeholders (Authorization in its documented format 'Basic YOUR_API_KEY_HERE'), the
# merchant id, the webhook URL, and a card expiry in the future (the page's 12/24 has passed).
# Run by .ci/foreign-clients.sh with the sandbox's variables exported.
set -euo pipefail
HOST=${PAYMENTS_SANDBOX_URL:?run with the sandbox variables exported}
curl --silent --show-error --write-out "\nHTTP %{http_code}\n" --request POST \
--url "$HOST"/api/v1/api/v1/server-to-server-interface/payment \
--header "Authorization: Basic $PAYMENTOPTIONS_API_KEY" \
--header 'Content-Type: application/json' \
--header "x-api-key: $PAYMENTOPTIONS_API_KEY" \
--data '{
"amount": "1000",
"currency": "JPY",
"card": {
"cvc": "100",
"expiry_month": "12",
"expiry_year": "99",
"name": "John Doe",
"number": "5200000000001005"
},
"merchant_txn_ref": "qwe",
"customer_ip": "127.0.0.1",
"merchant_id": "'"$PAYMENTOPTIONS_MERCHANT_ID"'",
"return_url": {
"webhook_url": "http://127.0.0.1:9/webhook",
"success_url": "http://www.successurl.com/",
"decline_url": "http://www.declineurl.com/"
},
"billing_address": {
"country": "JP",
"email": "billing@testemail.com",
"phone_number": "8112345678",
"address1": "1-2-3 Shinjuku",
"city": "Shinjuku-ku",
"state": "Tokyo",
"postal_code": "1600022"
},
"shipping_address": {
"country": "JP",
"email": "shipping@testemail.com",
"phone_number": "8112345678",
"address1": "1-2-3 Shinjuku",
"city": "Shinjuku-ku",
"state": "Tokyo",
"postal_code": "1600022"
},
"browser_info": {
"acceptHeader": "text/html",
"screenColorDepth": "48",
"javaEnabled": false,
"language": "en",
"screenHeight": "1200",
"screenWidth": "1600",
"challengeWindow": "4",
"userAgent": "Mozilla/4.0 (MSIE 6.0; Windows NT 5.0)"
},
"time_zone": "Asia/Kuala_Lumpur"
}'
