#!/usr/bin/env bash
# Installs Debian's trace-cmd, which test/trace_tools_test.ts runs on the lab's trace.dat
# (`trace-cmd report -i trace.dat`). .ci/run calls it before the tests; the test calls it
# itself when trace-cmd is missing, so `deno task test` passes on a fresh machine.
# Installing needs root (the project's machines run as root); without it this says what to
# run and fails.
set -euo pipefail

if command -v trace-cmd >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "trace-cmd is missing and installing it needs root:" \
    "sudo apt-get update && sudo apt-get install -y trace-cmd" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq trace-cmd >/dev/null
command -v trace-cmd >/dev/null
