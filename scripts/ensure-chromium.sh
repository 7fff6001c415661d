#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no browser download at test time).
set -eu
if [ -x /usr/bin/chromium ]; then
  echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing Debian's chromium for the browser tests"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
