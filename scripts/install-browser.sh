#!/bin/sh
# Install the headless browser the web UI tests drive (Debian's chromium, used through Playwright).
# Usage: scripts/install-browser.sh   (as root, or with sudo available)
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk
/usr/bin/chromium --version
