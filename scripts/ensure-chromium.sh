#!/usr/bin/env bash
# Make Debian's chromium available for the Playwright browser tests (never a downloaded build).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "note: /usr/bin/chromium is missing and cannot be installed here (not root or no apt-get);" \
     "the browser tests will be skipped: install Debian's chromium to run them." >&2
