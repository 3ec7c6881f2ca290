#!/usr/bin/env bash
# Clients no one here wrote, against the sandbox:
# - the INTER-STREAM provider's own PHP sample (conformance/interstream/add_payment_sample.php)
#   posts add_payment and must get {"ok": "Payment was added"}. It sends its fields as
#   multipart/form-data (curl with an array), which the provider's PHP reads like an urlencoded
#   body. php-cli and php-curl are installed when missing.
# - PaymentOptions' own curl example (conformance/paymentoptions/purchase_v1_sample.sh) must
#   get its documented 201 with success true.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v php >/dev/null 2>&1 || ! php -m | grep -qi '^curl$'; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -qq php-cli php-curl >/dev/null 2>&1 \
        || { $sudo apt-get update -qq && $sudo apt-get install -y -qq php-cli php-curl; }
fi
php --version | head -1

cargo build --quiet -p payments-cli
exports=$(mktemp)
target/debug/payments sandbox >"$exports" &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true; rm -f "$exports"' EXIT
for _ in $(seq 1 100); do
    grep -q "sandbox listening" "$exports" && break
    sleep 0.1
done
# shellcheck disable=SC1090
source <(grep '^export ' "$exports")

answer=$(php conformance/interstream/add_payment_sample.php)
echo "$answer"
grep -q '\[ok\] => Payment was added' <<<"$answer" || {
    echo "the provider's PHP sample was refused by the sandbox"
    exit 1
}
echo "php sample: ok"

answer=$(bash conformance/paymentoptions/purchase_v1_sample.sh)
echo "$answer"
grep -q '^HTTP 201$' <<<"$answer" && grep -q '"success":true' <<<"$answer" || {
    echo "the provider's curl example did not get its documented 201"
    exit 1
}
echo "curl example: ok"
