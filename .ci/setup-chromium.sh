#!/usr/bin/env bash
# Installs Debian's chromium, which test/web_test.ts drives headless (through playwright-core
# from npm) against the playground served on 127.0.0.1: .ci/setup-debian.sh says how and when.
exec bash "$(dirname "${BASH_SOURCE[0]}")/setup-debian.sh" chromium /usr/bin/chromium
