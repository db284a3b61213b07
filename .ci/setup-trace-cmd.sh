#!/usr/bin/env bash
# Installs Debian's trace-cmd, which test/trace_tools_test.ts runs on the lab's trace.dat
# (`trace-cmd report -i trace.dat`): .ci/setup-debian.sh says how and when.
exec bash "$(dirname "${BASH_SOURCE[0]}")/setup-debian.sh" trace-cmd trace-cmd
