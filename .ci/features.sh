#!/usr/bin/env bash
# The facade's features stay additive and independent: it builds with none, each alone, and all;
# and a provider feature pulls in no other provider's crate.
set -euo pipefail
cd "$(dirname "$0")/.."

for features in "" zaif paymentoptions interstream full; do
    echo "--- cargo check -p payments --no-default-features ${features:+--features $features}"
    cargo check --quiet -p payments --no-default-features ${features:+--features "$features"}
done

all_providers="zaif-ecapi paymentoptions interstream-store"
for pair in zaif:zaif-ecapi paymentoptions:paymentoptions interstream:interstream-store; do
    feature=${pair%%:*}
    own=${pair#*:}
    tree=$(cargo tree -p payments --no-default-features --features "$feature" -e normal --prefix none)
    grep -q "^$own v" <<<"$tree" || { echo "feature $feature does not build $own"; exit 1; }
    for other in $all_providers; do
        if [ "$other" != "$own" ] && grep -q "^$other v" <<<"$tree"; then
            echo "feature $feature compiles $other, which it does not need"
            exit 1
        fi
    done
    echo "--- feature $feature: $(sed "s/ (\*)//" <<<"$tree" | sort -u | wc -l) distinct crates, no other provider"
done
tree=$(cargo tree -p payments --no-default-features -e normal --prefix none)
for other in $all_providers; do
    if grep -q "^$other v" <<<"$tree"; then echo "no features, yet $other is built"; exit 1; fi
done
# The sandbox is an independent witness: it checks requests with its own hashing and parsing,
# so it must not be built on any provider crate.
tree=$(cargo tree -p payments-sandbox -e normal --prefix none)
for other in $all_providers; do
    if grep -q "^$other v" <<<"$tree"; then echo "payments-sandbox depends on $other"; exit 1; fi
done
echo "features: ok; payments-sandbox depends on no provider crate"
