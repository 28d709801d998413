#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium (Playwright drives it; we never download a
# browser) and CJK fonts so screenshots show Chinese. Installed only when missing and when we
# may (root with apt-get); otherwise the browser tests skip, or fail under CI=true.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing+=(fonts-noto-cjk)
command -v xgettext >/dev/null || missing+=(gettext)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "NOTE: missing Debian packages (${missing[*]}); browser tests will be skipped."
fi
