#!/usr/bin/env bash
# The facade's features stay additive and independent: it builds with none, each alone, and all;
# and a provider feature pulls in no other provider's crate.
set -euo pipefail
cd "$(dirname "$0")/.."

# `ring` is the TLS crypto provider (the default feature), not a payment provider.
for features in ring ring,zaif ring,paymentoptions ring,interstream ring,journal ring,zaif-postgres ring,webhooks ring,zaif,webhooks ring,full; do
    echo "--- cargo check -p payments-sdk --no-default-features --features $features"
    cargo check --quiet -p payments-sdk --no-default-features --features "$features"
done
echo "--- cargo check -p payments-sdk --features full,webpki-roots (Mozilla's roots bundled)"
cargo check --quiet -p payments-sdk --features full,webpki-roots
# Nothing a merchant did not ask for in any published crate's default tree.
none_builds_by_default() { # crate-to-refuse, why-it-would-be-there
    for crate in payments-core zaif-ecapi paymentoptions interstream-store payments-journal payments-sdk; do
        if cargo tree -p "$crate" -e normal --prefix none | grep -q "^$1 v"; then
            echo "$crate builds $1 by default ($2)"
            exit 1
        fi
    done
    echo "--- no crate builds $1 by default"
}
none_builds_by_default aws-lc-sys "a C build script: only for those who enable aws-lc-rs"
none_builds_by_default h2 "HTTP/2: only with the http2 feature"
none_builds_by_default tokio-postgres "the journal's PostgreSQL store: only with its postgres feature"
none_builds_by_default axum "the ready callback endpoints: only with the axum (facade: webhooks) feature"
echo "--- cargo check -p payments-sdk --features full,http2"
cargo check --quiet -p payments-sdk --features full,http2
cargo tree -p payments-sdk --features full,http2 -e normal --prefix none | grep -q "^h2 v" \
    || { echo "the http2 feature does not bring h2"; exit 1; }

all_providers="zaif-ecapi paymentoptions interstream-store"
for pair in zaif:zaif-ecapi paymentoptions:paymentoptions interstream:interstream-store; do
    feature=${pair%%:*}
    own=${pair#*:}
    tree=$(cargo tree -p payments-sdk --no-default-features --features "ring,$feature" -e normal --prefix none)
    grep -q "^$own v" <<<"$tree" || { echo "feature $feature does not build $own"; exit 1; }
    for other in $all_providers; do
        if [ "$other" != "$own" ] && grep -q "^$other v" <<<"$tree"; then
            echo "feature $feature compiles $other, which it does not need"
            exit 1
        fi
    done
    echo "--- feature $feature: $(sed "s/ (\*)//" <<<"$tree" | sort -u | wc -l) distinct crates, no other provider"
done
tree=$(cargo tree -p payments-sdk --no-default-features --features ring -e normal --prefix none)
for other in $all_providers; do
    if grep -q "^$other v" <<<"$tree"; then echo "no features, yet $other is built"; exit 1; fi
done
# The journal works through the PaymentProvider trait alone; a merchant without it builds no
# SQLite.
tree=$(cargo tree -p payments-journal -e normal --prefix none)
for other in $all_providers; do
    if grep -q "^$other v" <<<"$tree"; then echo "payments-journal depends on $other"; exit 1; fi
done
for pair in zaif:zaif-ecapi paymentoptions:paymentoptions interstream:interstream-store; do
    feature=${pair%%:*}
    if cargo tree -p payments-sdk --no-default-features --features "ring,$feature" -e normal --prefix none \
        | grep -q "^libsqlite3-sys v"; then
        echo "feature $feature builds SQLite without the journal feature"
        exit 1
    fi
done
echo "--- payments-journal depends on no provider crate; no provider feature builds SQLite"
# The sandbox is an independent witness: it checks requests with its own hashing and parsing,
# so it must not be built on any provider crate.
tree=$(cargo tree -p payments-sandbox -e normal --prefix none)
for other in $all_providers; do
    if grep -q "^$other v" <<<"$tree"; then echo "payments-sandbox depends on $other"; exit 1; fi
done
echo "features: ok; payments-sandbox depends on no provider crate"
