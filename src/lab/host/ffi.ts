/**
 * The host's libc through `Deno.dlopen` (needs `--allow-ffi`): the variadic `syscall()`,
 * errno, posix_spawn, and small helpers for the structures the host backend passes.
 * Nothing here knows about processes it may or may not touch: that is `session.ts`'s
 * guard, which every caller of a signalling, freezing or reaping call goes through.
 *
 * Every call is synchronous (on the calling JS thread), so that errno is the one the call
 * set and RUSAGE_THREAD is the caller's own CPU time.
 *
 * @module
 */

import { ERRNO, NR, PAGE_SIZE, retName } from "../../core/mod.ts";

/**
 * x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl): the recipes' syscalls as
 * the core numbers them ({@linkcode NR}), and the ones only the backend makes.
 */
export const SYS = {
  ...NR,
  read: 0,
  write: 1,
  sendmsg: 46,
  socketpair: 53,
  uname: 63,
  fcntl: 72,
  getrusage: 98,
  geteuid: 107,
  getppid: 110,
  gettid: 186,
  getdents64: 217,
  clock_gettime: 228,
  openat: 257,
  mkdirat: 258,
  unlinkat: 263,
  readlinkat: 267,
  faccessat: 269,
  pipe2: 293,
  unshare: 272,
  setns: 308,
} as const;

/**
 * A number no x86_64 kernel assigns, so that the kernel answers ENOSYS: syscall_64.tbl says
 * "don't use numbers 387 through 423" (424, pidfd_send_signal, starts the numbers shared by
 * every architecture). Below 387 the gap after 334 (rseq) is being filled with x86-only calls:
 * 335 is uretprobe (v6.11), which SIGILLs a caller outside a uretprobe trampoline. A design's
 * call that no kernel assigned a number (a `SyscallSpec` with `upstream: false`) is issued
 * here on the host.
 */
export const SYS_UNASSIGNED = 400;

/** Constants of the uapi headers the backend uses besides the core's (errno: src/core). */
export const C = {
  O_NONBLOCK: 0o4000,
  O_CLOEXEC: 0o2000000,
  O_DIRECTORY: 0o200000,
  AF_UNIX: 1,
  SOCK_SEQPACKET: 5,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SCM_RIGHTS: 1,
  MSG_NOSIGNAL: 0x4000,
  F_SETFL: 4,
  F_DUPFD_CLOEXEC: 1030,
  P_PIDFD: 3,
  /** waitid: leave the child waitable (include/uapi/linux/wait.h). */
  WNOWAIT: 0x01000000,
  POLLIN: 1,
  RUSAGE_THREAD: 1,
  CLOCK_MONOTONIC: 1,
  CLOCK_THREAD_CPUTIME_ID: 3,
  CLONE_NEWPID: 0x20000000,
} as const;

/** include/uapi/linux/limits.h: the longest path readlink can answer. */
const PATH_MAX = 4096;

const SYMBOLS = {
  syscall: {
    parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"],
    result: "i64",
  },
  __errno_location: { parameters: [], result: "pointer" },
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
} as const;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>;
let lib: Lib | null = null;

function libc(): Lib {
  return lib ??= Deno.dlopen("libc.so.6", SYMBOLS);
}

/** How many raw syscalls the backend has made (the guard's tests check it stays put). */
export let syscallCount = 0;

/** A pointer-sized argument: the address of a buffer (kept alive by the caller). */
export function addr(buf: BufferSource | null): bigint {
  if (buf === null) return 0n;
  const view = buf instanceof ArrayBuffer ? new Uint8Array(buf) : buf;
  const p = Deno.UnsafePointer.of(view as Uint8Array<ArrayBuffer>);
  return BigInt(Deno.UnsafePointer.value(p));
}

function errno(): number {
  const p = libc().symbols.__errno_location();
  return new Deno.UnsafePointerView(p!).getInt32();
}

/**
 * `syscall(nr, args...)` as the kernel answers it: the result, or -errno. Arguments are
 * integers or buffer addresses from {@linkcode addr}.
 */
export function syscall(nr: number, ...args: (number | bigint)[]): number {
  const a = [...args.map((x) => BigInt(x)), 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6);
  syscallCount++;
  const r = Number(libc().symbols.syscall(BigInt(nr), a[0], a[1], a[2], a[3], a[4], a[5]));
  return r === -1 ? -errno() : r;
}

/** CLOCK_MONOTONIC in nanoseconds. */
export function monotonicNs(): number {
  const ts = new BigInt64Array(2);
  syscall(SYS.clock_gettime, C.CLOCK_MONOTONIC, addr(ts));
  return Number(ts[0]) * 1e9 + Number(ts[1]);
}

/**
 * The calling thread's CPU time (user + system) from getrusage(RUSAGE_THREAD), in ns. Its
 * user/system split is tick-sampled and then scaled, so a call shorter than a few ms may
 * show no change: {@linkcode threadCpuClockNs} is the precise one.
 */
export function threadCpuNs(): number {
  // struct rusage: ru_utime, ru_stime (struct timeval: 2 x i64), then 14 longs.
  const ru = new BigInt64Array(18);
  syscall(SYS.getrusage, C.RUSAGE_THREAD, addr(ru));
  return (Number(ru[0]) + Number(ru[2])) * 1e9 + (Number(ru[1]) + Number(ru[3])) * 1e3;
}

/** The calling thread's CPU time, CLOCK_THREAD_CPUTIME_ID (sum_exec_runtime), in ns. */
export function threadCpuClockNs(): number {
  const ts = new BigInt64Array(2);
  syscall(SYS.clock_gettime, C.CLOCK_THREAD_CPUTIME_ID, addr(ts));
  return Number(ts[0]) * 1e9 + Number(ts[1]);
}

/** A pipe's two ends, both O_CLOEXEC; the read end O_NONBLOCK when `nonblockRead`. */
export function pipe(nonblockRead: boolean): { read: number; write: number } {
  const fds = new Int32Array(2);
  const r = syscall(SYS.pipe2, addr(fds), C.O_CLOEXEC);
  if (r < 0) throw new Error(`pipe2: ${retName(r)}`);
  // fcntl(F_SETFL, O_NONBLOCK) on the read end.
  if (nonblockRead) syscall(SYS.fcntl, fds[0], C.F_SETFL, C.O_NONBLOCK);
  return { read: fds[0], write: fds[1] };
}

/**
 * socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): two connected ends, each message read
 * whole, and end of file at the other end's last close.
 */
export function socketPair(): [number, number] {
  const fds = new Int32Array(2);
  const r = syscall(SYS.socketpair, C.AF_UNIX, C.SOCK_SEQPACKET | C.SOCK_CLOEXEC, 0, addr(fds));
  if (r < 0) throw new Error(`socketpair: ${retName(r)}`);
  return [fds[0], fds[1]];
}

/**
 * sendmsg(sock, text) with MSG_NOSIGNAL, and `fd`, if given, attached (SCM_RIGHTS: the
 * receiver gets its own copy of it): the bytes sent, or -errno.
 */
export function sendText(sock: number, msg: { text: string; fd?: number }): number {
  const fd = msg.fd ?? null;
  const data = new TextEncoder().encode(msg.text);
  // struct iovec { void *iov_base; size_t iov_len; }
  const iov = new BigUint64Array([addr(data), BigInt(data.length)]);
  // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } + one int, padded:
  // CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24.
  const control = new ArrayBuffer(24);
  const cv = new DataView(control);
  cv.setBigUint64(0, 20n, true);
  cv.setInt32(8, C.SOL_SOCKET, true);
  cv.setInt32(12, C.SCM_RIGHTS, true);
  cv.setInt32(16, fd ?? -1, true);
  // struct msghdr: name, namelen (+pad), iov, iovlen, control, controllen, flags (+pad).
  const header = new BigUint64Array(7);
  header[2] = addr(iov);
  header[3] = 1n;
  if (fd !== null) {
    header[4] = addr(control);
    header[5] = 24n;
  }
  return syscall(SYS.sendmsg, sock, addr(header), C.MSG_NOSIGNAL);
}

/** poll() one fd for POLLIN: the number of fds with events (1 or 0), or -errno. */
export function pollFd(fd: number, timeoutMs: number): number {
  // struct pollfd { int fd; short events; short revents; }
  const pfd = new Int32Array(2);
  pfd[0] = fd;
  pfd[1] = C.POLLIN;
  return syscall(SYS.poll, addr(pfd), 1, Math.max(0, Math.floor(timeoutMs)));
}

/** poll() one fd for POLLIN; true when readable (or hung up) within `timeoutMs`. */
export function pollIn(fd: number, timeoutMs: number): boolean {
  return pollFd(fd, timeoutMs) > 0;
}

/** read() up to a page: the text, "" at end of file, or null when nothing is there yet. */
export function readSome(fd: number): string | null {
  const buf = new Uint8Array(PAGE_SIZE);
  const n = syscall(SYS.read, fd, addr(buf), buf.length);
  if (n === -ERRNO.EAGAIN) return null;
  if (n < 0) throw new Error(`read: ${retName(n)}`);
  return new TextDecoder().decode(buf.subarray(0, n));
}

/** close(fd), ignoring errors. */
export function closeFd(fd: number): void {
  if (fd >= 0) syscall(SYS.close, fd);
}

function cstr(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${s}\0`) as Uint8Array<ArrayBuffer>;
}

/**
 * posix_spawn(path, argv) with stdout on `stdoutFd` (and, if given, stdin on `stdinFd`);
 * the environment is the lab's. Returns the child's pid. glibc spawns with
 * clone(CLONE_VM | CLONE_VFORK) and execs at once, which is safe in a multi-threaded
 * process such as Deno.
 */
export function spawn(path: string, argv: string[], stdoutFd: number, stdinFd?: number): number {
  const L = libc().symbols;
  const keep: Uint8Array[] = [];
  const ptrArray = (items: string[]) => {
    const arr = new BigUint64Array(items.length + 1);
    items.forEach((s, i) => {
      const b = cstr(s);
      keep.push(b);
      arr[i] = addr(b);
    });
    return arr;
  };
  const env = Object.entries(Deno.env.toObject()).map(([k, v]) => `${k}=${v}`);
  const argvArr = ptrArray([path, ...argv]);
  const envArr = ptrArray(env);
  const fa = new Uint8Array(256);
  L.posix_spawn_file_actions_init(fa);
  try {
    if (L.posix_spawn_file_actions_adddup2(fa, stdoutFd, 1) !== 0) throw new Error("adddup2");
    if (stdinFd !== undefined && L.posix_spawn_file_actions_adddup2(fa, stdinFd, 0) !== 0) {
      throw new Error("adddup2");
    }
    const pid = new Int32Array(1);
    syscallCount++;
    const r = L.posix_spawn(
      new Uint8Array(pid.buffer),
      cstr(path),
      fa,
      null,
      new Uint8Array(argvArr.buffer),
      new Uint8Array(envArr.buffer),
    );
    if (r !== 0) throw new Error(`posix_spawn ${path}: ${retName(-r)}`);
    return pid[0];
  } finally {
    L.posix_spawn_file_actions_destroy(fa);
    keep.length = 0;
  }
}

/**
 * Runs `spawnFn` with the calling thread's next children in a new pid namespace, then puts
 * its children back in its own: unshare(CLONE_NEWPID) sets only the thread's
 * pid_ns_for_children (its own pid and namespace never change; kernel/nsproxy.c), so the
 * first child `spawnFn` starts is pid 1 of the new namespace; setns() to the thread's own
 * namespace, its active one, which pidns_install() (kernel/pid_namespace.c) allows, restores
 * it. Nothing else runs on the thread in between (every call here is synchronous).
 */
export function inNewPidNamespace<T>(spawnFn: () => T): T {
  const own = openPath("/proc/thread-self/ns/pid", 0);
  if (own < 0) throw new Error(`open /proc/thread-self/ns/pid: ${retName(own)}`);
  try {
    const r = syscall(SYS.unshare, C.CLONE_NEWPID);
    if (r < 0) throw new Error(`unshare(CLONE_NEWPID): ${retName(r)}`);
    let out: { value: T } | { error: unknown };
    try {
      out = { value: spawnFn() };
    } catch (error) {
      out = { error };
    }
    // Back whether or not the spawn worked: the thread's next children are the lab's again.
    const back = syscall(SYS.setns, own, C.CLONE_NEWPID);
    if (back < 0) throw new Error(`setns back to the lab's pid namespace: ${retName(back)}`);
    if ("error" in out) throw out.error;
    return out.value;
  } finally {
    closeFd(own);
  }
}

/**
 * waitid(P_PIDFD, pidfd, options): `ret` 0 or -errno; the siginfo's `pid` (0 when nothing
 * was waited for, or on an error), `code` (CLD_EXITED, CLD_KILLED, ...) and `status` (the
 * exit code, or the signal).
 */
export function waitidPidfd(
  pidfd: number,
  options: number,
): { ret: number; pid: number; code: number; status: number } {
  // siginfo_t is 128 bytes; si_code is at offset 8, si_pid at 16, si_status at 24.
  const info = new Int32Array(32);
  const ret = syscall(SYS.waitid, C.P_PIDFD, pidfd, addr(info), options, 0);
  return { ret, pid: info[4], code: info[2], status: info[6] };
}

// Files of /proc and /sys through the kernel directly: Deno refuses them without
// --allow-all, and the backend already holds --allow-ffi, which is as strong.

const AT_FDCWD = -100;
const AT_REMOVEDIR = 0x200;
const O_WRONLY = 1;

function pathArg(path: string): Uint8Array<ArrayBuffer> {
  return cstr(path);
}

/** openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | flags): an fd or -errno. */
export function openPath(path: string, flags: number): number {
  return syscall(SYS.openat, AT_FDCWD, addr(pathArg(path)), C.O_CLOEXEC | flags, 0);
}

/** The whole text of a (proc or sys) file, or null when it cannot be opened. */
export function readText(path: string): string | null {
  const fd = openPath(path, 0);
  if (fd < 0) return null;
  try {
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = syscall(SYS.read, fd, addr(buf), buf.length);
      if (n < 0) return null;
      if (n === 0) break;
      chunks.push(buf.slice(0, n));
    }
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) all.set(c, at), at += c.length;
    return new TextDecoder().decode(all);
  } finally {
    closeFd(fd);
  }
}

/** Writes `text` to an existing (cgroup) file: 0 or -errno. */
export function writeText(path: string, text: string): number {
  const fd = openPath(path, O_WRONLY);
  if (fd < 0) return fd;
  try {
    const data = new TextEncoder().encode(text);
    const n = syscall(SYS.write, fd, addr(data), data.length);
    return n < 0 ? n : 0;
  } finally {
    closeFd(fd);
  }
}

/** mkdir(path, 0755): 0 or -errno. */
export function makeDir(path: string): number {
  return syscall(SYS.mkdirat, AT_FDCWD, addr(pathArg(path)), 0o755);
}

/** rmdir(path): 0 or -errno. */
export function removeDir(path: string): number {
  return syscall(SYS.unlinkat, AT_FDCWD, addr(pathArg(path)), AT_REMOVEDIR);
}

/** unlink(path): 0 or -errno. */
export function removeFile(path: string): number {
  return syscall(SYS.unlinkat, AT_FDCWD, addr(pathArg(path)), 0);
}

/** Whether `path` exists (faccessat F_OK). */
export function exists(path: string): boolean {
  return syscall(SYS.faccessat, AT_FDCWD, addr(pathArg(path)), 0, 0) === 0;
}

/** The target of a symlink, or null. */
export function readLink(path: string): string | null {
  const buf = new Uint8Array(PATH_MAX);
  const n = syscall(SYS.readlinkat, AT_FDCWD, addr(pathArg(path)), addr(buf), buf.length);
  return n < 0 ? null : new TextDecoder().decode(buf.subarray(0, n));
}

/** The entries of a directory (getdents64), without "." and "..", or null. */
export function listDir(path: string): { name: string; dir: boolean }[] | null {
  const fd = openPath(path, C.O_DIRECTORY);
  if (fd < 0) return null;
  try {
    const out: { name: string; dir: boolean }[] = [];
    const buf = new Uint8Array(32768);
    const view = new DataView(buf.buffer);
    for (;;) {
      const n = syscall(SYS.getdents64, fd, addr(buf), buf.length);
      if (n < 0) return null;
      if (n === 0) return out;
      // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
      for (let at = 0; at < n;) {
        const reclen = view.getUint16(at + 16, true);
        const type = buf[at + 18];
        let end = at + 19;
        while (buf[end] !== 0) end++;
        const name = new TextDecoder().decode(buf.subarray(at + 19, end));
        if (name !== "." && name !== "..") out.push({ name, dir: type === 4 });
        at += reclen;
      }
    }
  } finally {
    closeFd(fd);
  }
}

/** uname()'s release ("6.18.44-..."). */
export function unameRelease(): string {
  const buf = new Uint8Array(65 * 6);
  if (syscall(SYS.uname, addr(buf)) < 0) return "unknown";
  const rel = buf.subarray(130, 195);
  return new TextDecoder().decode(rel.subarray(0, rel.indexOf(0)));
}

/** The effective uid (geteuid) and the parent pid (getppid) of the lab. */
export function selfIds(): { euid: number; ppid: number } {
  return { euid: syscall(SYS.geteuid), ppid: syscall(SYS.getppid) };
}
