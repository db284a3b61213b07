/**
 * The session's small blocking I/O helpers: read a helper's pipe until a line, write a
 * control file or fail, wait a bounded time for a condition.
 *
 * @module
 */

import { monotonicNs, openPath, pollIn, readSome, SYS, syscall, writeText } from "./ffi.ts";
import { retName } from "../../core/mod.ts";

/** Reads `fd` until `done` matches what came, or `timeoutMs` passes. */
export function readUntil(fd: number, done: RegExp, timeoutMs: number): string {
  const deadline = monotonicNs() + timeoutMs * 1e6;
  let text = "";
  while (!done.test(text)) {
    const left = (deadline - monotonicNs()) / 1e6;
    if (left <= 0) throw new Error(`the victim helper said nothing in ${timeoutMs} ms: ${text}`);
    pollIn(fd, Math.min(left, 200));
    const s = readSome(fd);
    if (s === "") break;
    if (s) text += s;
  }
  return text;
}

/** Writes `text` to `path` (a control file), or throws with the errno. */
export function mustWrite(path: string, text: string): void {
  const r = writeText(path, text);
  if (r < 0) throw new Error(`write ${text} to ${path}: ${retName(r)}`);
}

/** Waits on the thread, in 2 ms polls, until `ok()` or `timeoutMs`; throws `message` then. */
export function spinUntil(ok: () => boolean, timeoutMs: number, message: string): void {
  const deadline = monotonicNs() + timeoutMs * 1e6;
  while (!ok()) {
    if (monotonicNs() > deadline) throw new Error(message);
    // A short sleep without leaving the thread: poll() on nothing.
    syscall(SYS.poll, 0, 0, 2);
  }
}

/** Calls `fn` until it stops throwing, for at most `timeoutMs`. */
export async function retry(fn: () => void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Opens `path`, or throws with the errno. */
export function mustOpen(path: string, flags: number): number {
  const fd = openPath(path, flags);
  if (fd < 0) throw new Error(`open ${path}: ${retName(fd)}`);
  return fd;
}
