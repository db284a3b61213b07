/**
 * Reading another process's memory from userspace, the kernel side of the two ways a
 * memory killer (or a debugger, a crash reporter) looks at a victim after a reap:
 * process_vm_readv() (mm/process_vm_access.c) and a read of /proc/<pid>/mem
 * (fs/proc/base.c). Both go through mm_access() and get_user_pages on the victim's mm, so
 * once a reap has set MMF_UNSTABLE a page it zapped no longer faults back in
 * (check_stable_address_space(): EFAULT from process_vm_readv, EIO from /proc/<pid>/mem).
 *
 * @module
 */

import { ERRNO } from "./errno.ts";
import { mm_access } from "./helpers.ts";
import {
  KERNEL_VERSION_CODE,
  kernelFeatures,
  PAGE_SIZE,
  PIDTYPE_PID,
  PTRACE_MODE_ATTACH,
} from "./kernel.ts";
import type { KGen, Primitives } from "./primitives.ts";
import type { IovRange } from "./call.ts";

/** The pages a remote reader copied, as the syscall counts them: bytes. */
function* copied(k: Primitives, mm: number, range: IovRange): KGen<number> {
  yield* k.mmap_read_lock(mm);
  const pages = k.access_remote(mm, range.start_page, range.end_page);
  k.mmap_read_unlock(mm);
  return pages * PAGE_SIZE;
}

/**
 * process_vm_rw_core() for one remote range (6.18; v5.10 answers the same): the pid's task
 * (find_get_task_by_vpid: ESRCH once released), mm_access(PTRACE_MODE_ATTACH_REALCREDS)
 * with EACCES turned into EPERM ("a more appropriate error code for
 * process_vm_readv/writev") and ESRCH for a task with no mm, then pin_user_pages_remote()
 * under mmap_read_lock: the bytes copied, or EFAULT when not one page could be ("If we have
 * managed to copy any data at all then we return the number of bytes copied").
 *
 * @example
 * ```ts
 * import { process_vm_readv_body } from "./remote.ts";
 * // const n = yield* process_vm_readv_body(k, victim, { start_page: 16, end_page: 32 });
 * ```
 */
export function* process_vm_readv_body(
  k: Primitives,
  pid: number,
  range: IovRange,
): KGen<number> {
  const task = pid > 0 ? k.get_pid_task(pid, PIDTYPE_PID) : 0;
  if (!task) return -ERRNO.ESRCH;
  let ret: number;
  const mm = mm_access(k, task, PTRACE_MODE_ATTACH);
  if (mm < 0) {
    ret = mm === -ERRNO.EACCES ? -ERRNO.EPERM : mm;
  } else {
    k.mmget(mm); // get_task_mm()'s reference
    const bytes = range.end_page > range.start_page ? yield* copied(k, mm, range) : 0;
    ret = bytes > 0 || range.end_page <= range.start_page ? bytes : -ERRNO.EFAULT;
    yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/**
 * open("/proc/<pid>/mem"), pread() of the range, close(): the lookup fails once the pid is
 * released (ENOENT); proc_mem_open() takes the mm with mm_access(PTRACE_MODE_ATTACH |
 * PTRACE_MODE_FSCREDS) (EACCES), and a task without one opens with a NULL mm whose reads
 * answer 0, or, from v6.15 ("proc: fix the issue of proc_mem_open returning NULL"), fails
 * to open with ESRCH (measured on this host, 6.18). mem_rw() then needs mmget_not_zero()
 * (0 once exit_mmap has begun) and access_remote_vm() under mmap_read_lock: the bytes
 * copied, or EIO when not one page could be (`if (!this_len) { if (!copied) copied =
 * -EIO; break; }`).
 *
 * @example
 * ```ts
 * import { proc_mem_read_body } from "./remote.ts";
 * // const n = yield* proc_mem_read_body(k, victim, { start_page: 16, end_page: 32 });
 * ```
 */
export function* proc_mem_read_body(
  k: Primitives,
  pid: number,
  range: IovRange,
): KGen<number> {
  const task = pid > 0 ? k.get_pid_task(pid, PIDTYPE_PID) : 0;
  if (!task) return -ERRNO.ENOENT;
  let ret: number;
  const mm = mm_access(k, task, PTRACE_MODE_ATTACH);
  if (mm === -ERRNO.ESRCH) {
    ret = openFailsWithoutMm(k) ? -ERRNO.ESRCH : 0;
  } else if (mm < 0) {
    ret = mm;
  } else if (!k.mmget_not_zero(mm)) {
    ret = 0;
  } else {
    const bytes = range.end_page > range.start_page ? yield* copied(k, mm, range) : 0;
    ret = bytes > 0 || range.end_page <= range.start_page ? bytes : -ERRNO.EIO;
    yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/** The running kernel's `proc_mem_open_esrch` feature. */
function openFailsWithoutMm(k: Primitives): boolean {
  const code = k.kernel_version_code();
  const version = (Object.keys(KERNEL_VERSION_CODE) as (keyof typeof KERNEL_VERSION_CODE)[])
    .find((v) => KERNEL_VERSION_CODE[v] === code);
  return version !== undefined && kernelFeatures(version).proc_mem_open_esrch;
}
