/**
 * Whether this host can run the host backend, and if not, why: Linux on x86_64, root,
 * FFI allowed, kernel {@linkcode HOST_KERNEL} (what the differential suite compares with),
 * the four syscalls answering (probed with fd -1, which touches no process), the cgroup-v1
 * freezer, and gcc.
 *
 * @module
 */

import { ERRNO, type KernelVersion, SYSCALLS, type SyscallSpec } from "../../core/mod.ts";
import * as ffiModule from "./ffi.ts";
import { kernelRelease } from "./observe.ts";

/**
 * The kernel the host backend compares with: the simulator runs this version for the host,
 * host-expressible scenarios are written for it, and the host must run it.
 */
export const HOST_KERNEL: KernelVersion = "6.18";

/** The verdict. */
export interface HostSupport {
  /** Everything needed is there. */
  ok: boolean;
  /** Why not (empty when ok). */
  reason: string;
  /** The kernel release, when Linux. */
  release: string;
}

let cached: HostSupport | null = null;

/** Checks once per process. */
export function hostSupport(): HostSupport {
  return cached ??= probe();
}

function probe(): HostSupport {
  let release: { release: string; version: string } = { release: Deno.build.os, version: "" };
  const no = (reason: string): HostSupport => ({ ok: false, reason, release: release.release });
  if (Deno.build.os !== "linux") return no(`not Linux (${Deno.build.os})`);
  if (Deno.build.arch !== "x86_64") return no(`not x86_64 (${Deno.build.arch})`);
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return no(
      "FFI is not allowed: run the host commands as `deno task lab:host ...` (it has --allow-ffi)",
    );
  }
  // libc is opened on the first call, only here, after the checks above.
  const ffi = ffiModule;
  let uid: number;
  try {
    release = kernelRelease();
    uid = ffi.selfIds().euid;
  } catch (e) {
    return no(`libc could not be loaded: ${e}`);
  }
  if (release.version !== HOST_KERNEL) {
    return no(`kernel ${release.release}: the comparisons are for ${HOST_KERNEL}`);
  }
  if (uid !== 0) return no(`not root (euid ${uid})`);
  const probes: [SyscallSpec, number[]][] = [
    [SYSCALLS.pidfd_send_signal, [-1, 0, 0, 0]],
    [SYSCALLS.pidfd_open, [0, 0]],
    [SYSCALLS.process_madvise, [-1, 0, 0, 0, 0]],
    [SYSCALLS.process_mrelease, [-1, 0]],
  ];
  try {
    for (const [call, args] of probes) {
      if (ffi.syscall(call.nr, ...args) === -ERRNO.ENOSYS) {
        return no(`${call.name} (${call.nr}) is ENOSYS here`);
      }
    }
  } catch (e) {
    return no(`libc could not be loaded: ${e}`);
  }
  // The root of a v1 freezer hierarchy has cgroup.procs and no freezer.state of its own.
  if (!ffi.exists("/sys/fs/cgroup/freezer/cgroup.procs")) {
    return no("no cgroup-v1 freezer hierarchy at /sys/fs/cgroup/freezer");
  }
  if (ffi.exists("/sys/fs/cgroup/freezer/freezer.state")) {
    return no("/sys/fs/cgroup/freezer is not a cgroup-v1 freezer root");
  }
  if (!onPath("gcc")) return no("gcc is not installed (the victim helper is C)");
  return { ok: true, reason: "", release: release.release };
}

function onPath(cmd: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      Deno.statSync(`${dir}/${cmd}`);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}
