/*
 * The lab's victim helper: a process whose memory shape follows a scenario, for the host
 * backend (src/lab/host/). The Deno side compiles it with the machine's gcc into the repo's
 * gitignored tmp/host/ (src/lab/host/helper.ts) and starts it with posix_spawn; it never runs
 * anything else.
 *
 *   victim --parent PID [--comm NAME] [--anon B:R] [--locked B:R] [--shared B:R]
 *          [--shmem B:R] [--threads N] [--vfork]
 *   victim --watchdog CGROUP_DIR
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
 *
 * --watchdog is the other half of that promise for frozen victims, which cannot act on
 * the SIGKILL their parent's death queues: it reads its stdin (a pipe whose only writer
 * is the lab) until end of file, then, if the lab's freezer cgroup CGROUP_DIR still
 * exists (the lab died before removing it), thaws it, SIGKILLs what is still in it
 * through pidfds (every member is a process the lab put there), and removes it. It
 * touches nothing outside that one directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static int watchdog(const char *dir) {
  char buf[256], path[4096];
  if (strncmp(dir, "/sys/fs/cgroup/freezer/mrelease-lab-", 36) || strchr(dir + 36, '/')) {
    dprintf(2, "watchdog: refusing %s\n", dir);
    return 1;
  }
  /* Block on the pipe whatever flags it came with; only end of file (or an error other
   * than EINTR) ends the wait. */
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) & ~O_NONBLOCK);
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
    if (n < 0 && errno == EAGAIN) usleep(100000);
  }
  for (int attempt = 0; attempt < 200; attempt++) {
    snprintf(path, sizeof path, "%s/freezer.state", dir);
    if (access(path, F_OK) != 0) return 0; /* the lab removed it: nothing to do */
    write_file(path, "THAWED");
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    FILE *f = fopen(path, "r");
    int pid, members = 0;
    while (f && fscanf(f, "%d", &pid) == 1) {
      members++;
      int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
      if (pidfd < 0) continue;
      /* Still a member of this cgroup now that it is pinned by the pidfd? */
      char cg[4096], line[4096];
      snprintf(cg, sizeof cg, "/proc/%d/cgroup", pid);
      FILE *c = fopen(cg, "r");
      int member = 0;
      while (c && fgets(line, sizeof line, c)) {
        char *name = strstr(line, ":freezer:/");
        if (name && !strncmp(name + 10, dir + 23, strlen(dir + 23)) &&
            name[10 + strlen(dir + 23)] == '\n') {
          member = 1;
        }
      }
      if (c) fclose(c);
      if (member && pid > 2) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      close(pidfd);
    }
    if (f) fclose(f);
    if (!members && rmdir(dir) == 0) return 0;
    usleep(50000);
  }
  return 1;
}

int main(int argc, char **argv) {
  /* Signals as a fresh process has them, whatever the spawner had blocked or ignored. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int s = 1; s < 32; s++) {
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  }
  if (argc == 3 && !strcmp(argv[1], "--watchdog")) return watchdog(argv[2]);
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
