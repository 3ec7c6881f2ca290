#!/usr/bin/env bash
# The merchant endpoints in examples/ (each under 40 lines), run as a merchant would run them:
# against `payments sandbox`, with each provider's callback fired by the CLI. Each must print
# the confirmed payment, and nothing else may reach it.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet -p payments-cli
cargo build --quiet -p zaif-ecapi --features axum --example notification_endpoint
cargo build --quiet -p paymentoptions --features axum --example webhook_endpoint

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
wait_for() { # file, text
    for _ in $(seq 1 300); do
        grep -q "$2" "$1" && return 0
        sleep 0.1
    done
    echo "timed out waiting for '$2' in $1:"
    cat "$1"
    return 1
}
json_field() { # name: the first "name":"value" of stdin
    grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4
}

target/debug/payments sandbox >"$work/sandbox" &
pids+=($!)
wait_for "$work/sandbox" "sandbox listening"
# shellcheck disable=SC1090
source <(grep '^export ' "$work/sandbox")
export ZAIF_NONCE_FILE="$work/zaif-nonce"

LISTEN=127.0.0.1:0 target/debug/examples/notification_endpoint >"$work/zaif" &
pids+=($!)
LISTEN=127.0.0.1:0 target/debug/examples/webhook_endpoint >"$work/paymentoptions" &
pids+=($!)
wait_for "$work/zaif" "listening on"
wait_for "$work/paymentoptions" "listening on"
zaif_url=$(sed -n 's/^listening on //p' "$work/zaif")
po_url=$(sed -n 's/^listening on //p' "$work/paymentoptions")

# Zaif: an invoice notifying the example; the customer pays; the notification follows.
invoice=$(target/debug/payments --json zaif create-invoice --currency btc --amount 1200 \
    --order-number EX-ZAIF-1 --notification-uri "$zaif_url" | json_field invoiceId)
target/debug/payments sandbox trigger zaif-pay "$invoice" >/dev/null
wait_for "$work/zaif" "paid: invoice $invoice for order EX-ZAIF-1 (1200 JPY)"
echo "zaif example: $(grep '^paid:' "$work/zaif")"

# PaymentOptions: a 3-D Secure purchase; the customer approves; the webhook follows.
card="$work/card.json"
echo '{"number":"4000002500003155","expiry_month":"12","expiry_year":"2099","cvc":"737","name":"Jane Doe"}' >"$card"
challenge=$(target/debug/payments --json paymentoptions purchase --v2 --amount 3000 --currency JPY \
    --merchant-txn-ref EX-PO-1 --customer-ip 203.0.113.7 --card "$card" \
    --success-url https://shop.example/ok --webhook-url "$po_url" | json_field redirect_url)
transaction=${challenge##*/}
target/debug/payments sandbox trigger challenge "$transaction" >/dev/null
wait_for "$work/paymentoptions" "Captured: transaction $transaction for order EX-PO-1"

# A forgery posted straight at the example: refused, nothing printed for it.
curl -fsS -o /dev/null -X POST -H 'content-type: application/json' \
    -d '{"success":true,"transaction_details":{"id":"forged-1"}}' "$po_url"
sleep 0.5
if grep -q "forged-1" "$work/paymentoptions"; then
    echo "the webhook example handed a forgery to its handler"
    exit 1
fi
echo "paymentoptions example: $(grep '^Captured:' "$work/paymentoptions"); a forgery was refused"
