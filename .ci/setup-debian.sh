#!/usr/bin/env bash
# Installs a Debian package the tests drive, unless its program is already there:
#   bash .ci/setup-debian.sh PACKAGE PROGRAM
# (trace-cmd for test/trace_tools_test.ts, chromium for test/web_test.ts). .ci/run calls it
# before the tests; a test calls it itself when its program is missing, so `deno task test`
# passes on a fresh machine. Installing needs root (the project's machines run as root);
# without it this says what to run and fails.
set -euo pipefail

package=$1
program=$2
if command -v "$program" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "$program is missing and installing it needs root:" \
    "sudo apt-get update && sudo apt-get install -y $package" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$package" >/dev/null
command -v "$program" >/dev/null
