#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry (no CDN at run time: the site must
# work on a government intranet). Run by hand when upgrading; the copies are committed.
set -euo pipefail
HTMX=2.0.11
ALPINE=3.17.5
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/zhifa/core/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund "htmx.org@$HTMX" "alpinejs@$ALPINE" >/dev/null)
mkdir -p "$dest"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/node_modules/alpinejs/dist/cdn.min.js" "$dest/alpine.min.js"
cp "$work/node_modules/htmx.org/LICENSE" "$dest/htmx.LICENSE"
printf "Alpine.js is MIT licensed (c) Caleb Porzio and contributors; see https://github.com/alpinejs/alpine\n" > "$dest/alpine.LICENSE"
printf 'htmx.org %s\nalpinejs %s\n' "$HTMX" "$ALPINE" > "$dest/VERSIONS"
echo "vendored into $dest"
