/*
 * The lab's victim helper: a process whose memory shape follows a scenario, for the host
 * backend (src/host/). The Deno side compiles it with the machine's gcc into the repo's
 * gitignored tmp/host/ (src/host/helper.ts) and starts it with posix_spawn; it never runs
 * anything else.
 *
 *   victim --parent PID [--comm NAME] [--anon B:R] [--locked B:R] [--shared B:R]
 *          [--shmem B:R] [--threads N] [--vfork]
 *
 * B:R is a mapping's size and its resident part in bytes (both whole pages). --anon is
 * private anonymous memory, --locked the same under mlock2(MLOCK_ONFAULT) (VM_LOCKED),
 * --shared MAP_SHARED|MAP_ANONYMOUS, --shmem a memfd mapped MAP_SHARED; each may be given
 * several times. The resident part is touched (written) so that it is in RSS. --threads N
 * starts N more threads that sleep; --vfork starts one more thread that calls
 * clone(CLONE_VM|CLONE_VFORK) and stays suspended while the child (which shares the mm)
 * sleeps.
 *
 * It reports on stdout, one line each: "vma KIND ADDR BYTES" per mapping,
 * "vfork_child PID" and then "ready PID"; on a setup failure "error TEXT" and exit 1.
 * Then every thread sleeps in pause() until killed. It dies with its parent
 * (PR_SET_PDEATHSIG), and so does the vfork child with it, so that a crashed lab leaves
 * nothing running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_MAPS 64
#define MLOCK_ONFAULT_FLAG 1

static volatile int vfork_child_pid;

static void fail(const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  dprintf(1, "error %s (errno %d: %s)\n", buf, errno, strerror(errno));
  _exit(1);
}

static void parse_size(const char *arg, unsigned long *size, unsigned long *resident) {
  char *end;
  errno = 0;
  *size = strtoul(arg, &end, 10);
  if (*end != ':') fail("expected SIZE:RESIDENT, got %s", arg);
  *resident = strtoul(end + 1, &end, 10);
  if (*end || errno || !*size || *size % PAGE || *resident % PAGE || *resident > *size) {
    fail("bad SIZE:RESIDENT %s", arg);
  }
}

static void touch(char *p, unsigned long bytes) {
  for (unsigned long off = 0; off < bytes; off += PAGE) p[off] = (char)(1 + off / PAGE);
}

static void map(const char *kind, const char *arg) {
  unsigned long size, resident;
  parse_size(arg, &size, &resident);
  int shared = !strcmp(kind, "shared");
  int shmem = !strcmp(kind, "shmem");
  int fd = -1;
  if (shmem) {
    fd = memfd_create("mrelease-lab-shmem", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) fail("memfd of %lu bytes", size);
  }
  int flags = shmem ? MAP_SHARED : shared ? MAP_SHARED | MAP_ANONYMOUS : MAP_PRIVATE | MAP_ANONYMOUS;
  char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p == MAP_FAILED) fail("mmap %s of %lu bytes", kind, size);
  if (fd >= 0) close(fd);
  if (!strcmp(kind, "locked") && syscall(SYS_mlock2, p, size, MLOCK_ONFAULT_FLAG) != 0) {
    fail("mlock2 of %lu bytes", size);
  }
  touch(p, resident);
  dprintf(1, "vma %s 0x%lx %lu\n", kind, (unsigned long)p, size);
}

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

/* The vfork child: it shares the mm (and so this static) with its suspended parent thread. */
static int vfork_child(void *arg) {
  (void)arg;
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  vfork_child_pid = (int)syscall(SYS_getpid);
  for (;;) syscall(SYS_pause);
  return 0;
}

static void *vforker(void *arg) {
  (void)arg;
  size_t stack_size = 64 * 1024;
  char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (stack == MAP_FAILED) fail("vfork stack");
  /* Blocks here (D_vfork's wait_for_vfork_done, killable) for as long as the child lives. */
  if (clone(vfork_child, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL) < 0) {
    fail("clone(CLONE_VM|CLONE_VFORK)");
  }
  for (;;) pause();
  return NULL;
}

static void start_thread(void *(*fn)(void *)) {
  pthread_attr_t attr;
  pthread_t t;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  if (pthread_create(&t, &attr, fn, NULL) != 0) fail("pthread_create");
  pthread_attr_destroy(&attr);
}

int main(int argc, char **argv) {
  /* Signals as a fresh process has them, whatever the spawner had blocked or ignored. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int s = 1; s < 32; s++) {
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  }
  long parent = -1, threads = 0;
  int vfork = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--vfork")) {
      vfork = 1;
    } else if (!v) {
      fail("%s needs a value", a);
    } else if (!strcmp(a, "--parent")) {
      parent = strtol(v, NULL, 10), i++;
    } else if (!strcmp(a, "--comm")) {
      prctl(PR_SET_NAME, v, 0, 0, 0), i++;
    } else if (!strcmp(a, "--threads")) {
      threads = strtol(v, NULL, 10), i++;
    } else if (!strcmp(a, "--anon") || !strcmp(a, "--locked") || !strcmp(a, "--shared") ||
               !strcmp(a, "--shmem")) {
      map(a + 2, v), i++;
    } else {
      fail("unknown option %s", a);
    }
  }
  /* Die with the lab; and if the lab is already gone, do not start at all. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail("PR_SET_PDEATHSIG");
  if (parent <= 0 || getppid() != parent) fail("parent %ld is gone", parent);
  if (threads < 0 || threads > 1000) fail("--threads %ld", threads);
  for (long t = 0; t < threads; t++) start_thread(sleeper);
  if (vfork) {
    start_thread(vforker);
    for (int i = 0; !vfork_child_pid; i++) {
      if (i > 5000) fail("vfork child did not start");
      usleep(1000);
    }
    dprintf(1, "vfork_child %d\n", vfork_child_pid);
  }
  dprintf(1, "ready %d\n", (int)getpid());
  for (;;) pause();
}
