/*
 * The lab's victim helper: a process whose memory shape follows a scenario, for the host
 * backend (src/lab/host/). The Deno side compiles it with the machine's gcc into the repo's
 * gitignored tmp/host/ (src/lab/host/helper.ts) and starts it with posix_spawn; it never runs
 * anything else.
 *
 *   victim --parent PID [--comm NAME] [--anon B:R] [--locked B:R] [--shared B:R]
 *          [--shmem B:R] [--thp B:R] [--threads N] [--vfork] [--core-dir DIR]
 *   victim --supervise LAB_PID
 *
 * B:R is a mapping's size and its resident part in bytes (both whole pages). --anon is
 * private anonymous memory, --locked the same under mlock2(MLOCK_ONFAULT) (VM_LOCKED),
 * --shared MAP_SHARED|MAP_ANONYMOUS, --shmem a memfd mapped MAP_SHARED, --thp private
 * anonymous memory on a 2 MiB boundary under madvise(MADV_HUGEPAGE) (this process's own
 * opt-in; it needs transparent_hugepage/enabled "madvise" or "always" and changes no system
 * setting), whose resident part must then show in /proc/self/smaps_rollup's AnonHugePages,
 * else it fails with "error not THP-backed ..."; each may be given
 * several times. The resident part is touched (written) so that it is in RSS. --threads N
 * starts N more threads that sleep; --vfork starts one more thread that calls
 * clone(CLONE_VM|CLONE_VFORK) and stays suspended while the child (which shares the mm)
 * sleeps. --core-dir DIR readies a core dump the lab starts later with SIGABRT (through its
 * pidfd): this process's own RLIMIT_CORE is raised to unlimited and its cwd becomes DIR, a
 * fresh directory the lab made, so that the kernel's core_pattern "core" (a relative name: the
 * dumper's cwd; no system setting is changed, src/lab/host/coredump.ts checks the pattern)
 * writes DIR/core.
 *
 * It reports on stdout, one line each: "vma KIND ADDR BYTES" per mapping,
 * "vfork_child PID" and then "ready PID"; on a setup failure "error TEXT" and exit 1.
 * Then every thread sleeps in pause() until killed. It dies with its parent
 * (PR_SET_PDEATHSIG), and so does the vfork child with it, so that a crashed lab leaves
 * nothing running.
 *
 * --supervise is the other half of that promise, for what PR_SET_PDEATHSIG cannot do: a
 * frozen victim cannot act on the SIGKILL its parent's death queues, and nothing removes
 * the freezer cgroup. One supervisor per host session (src/lab/host/session.ts), started
 * before its first victim. It calls setsid() at once, so that a signal to the lab's process
 * group or session (Ctrl-C, a terminal's hangup) does not reach it, and holds a pidfd of
 * the lab (its parent: pidfd_open(LAB_PID), then getppid() must still be LAB_PID). Its stdin
 * is an AF_UNIX SOCK_SEQPACKET socket whose other end only the lab holds, on which the lab
 * sends, and waits for "ok" after each:
 *
 *   "hold PID" with the lab's pidfd of PID attached (SCM_RIGHTS): a process the lab created;
 *   "cgroup DIR": the lab's freezer cgroup, /sys/fs/cgroup/freezer/mrelease-lab-LAB_PID-*,
 *                 sent before the lab makes it;
 *   "coredir DIR": a victim's core directory, an absolute DIR named mrelease-lab-core-LAB_PID-*,
 *                 sent before the lab makes it;
 *   "done" (no answer): the session's close() has ended everything; end of file follows.
 *
 * When the lab's pidfd polls readable or the socket reaches end of file without "done" (the
 * lab died, however: a dying process's files close before its pidfd is notified), or after
 * "done" and end of file, it SIGKILLs every process it holds through its pidfd, thaws its
 * cgroups, waits (up to SUPERVISE_WAIT_MS) for each held process to exit (its memory is gone
 * by then: exit_mm() runs before the pidfd is notified; a SIGKILL aborts a core dump),
 * removes the cgroups, and the core files ("core" or "core.PID") and core directories, and exits 0,
 * or 1 if something is left. After "done" everything has already exited and the cgroup and
 * core directories are gone, so it just exits (a core directory still there is removed and
 * reported: exit 1); after the lab's death it says on stderr what it did. It acts only on the
 * pidfds it was handed and the cgroups and core directories it was told of; it opens no pidfd
 * itself except the lab's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "_helper.h"

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

#define PMD_SIZE (2UL << 20)
/* THP-backed bytes so far (several --thp mappings add up in AnonHugePages). */
static unsigned long thp_expected;

/* AnonHugePages of this process, in bytes (0 if unreadable). */
static unsigned long anon_huge_bytes(void) {
  FILE *f = fopen("/proc/self/smaps_rollup", "r");
  char line[256];
  unsigned long kb = 0;
  while (f && fgets(line, sizeof line, f)) {
    if (!strncmp(line, "AnonHugePages:", 14)) kb = strtoul(line + 14, NULL, 10);
  }
  if (f) fclose(f);
  return kb * 1024;
}

/* A private anon mapping of `size` bytes on a 2 MiB boundary, with MADV_HUGEPAGE, whose
 * resident part is faulted in as PMD-mapped huge pages (checked). */
static char *map_thp(unsigned long size, unsigned long resident) {
  if (size % PMD_SIZE || resident % PMD_SIZE) fail("--thp sizes must be multiples of 2 MiB");
  char *raw = mmap(NULL, size + PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) fail("mmap thp of %lu bytes", size);
  char *p = (char *)(((unsigned long)raw + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
  /* Trim the slack so the VMA is exactly the aligned range. */
  if (p > raw) munmap(raw, (unsigned long)(p - raw));
  if (raw + PMD_SIZE > p) munmap(p + size, (unsigned long)(raw + PMD_SIZE - p));
  if (madvise(p, size, MADV_HUGEPAGE) != 0) fail("madvise(MADV_HUGEPAGE) of %lu bytes", size);
  touch(p, resident);
  thp_expected += resident;
  unsigned long huge = anon_huge_bytes();
  if (huge < thp_expected) {
    fail("not THP-backed: AnonHugePages %lu kB of %lu kB expected", huge / 1024, thp_expected / 1024);
  }
  return p;
}

static void map(const char *kind, const char *arg) {
  unsigned long size, resident;
  parse_size(arg, &size, &resident);
  if (!strcmp(kind, "thp")) {
    char *p = map_thp(size, resident);
    dprintf(1, "vma %s 0x%lx %lu\n", kind, (unsigned long)p, size);
    return;
  }
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

/* Ready a core dump into `dir` (see --core-dir above): only this process's own limit and cwd. */
static void ready_core_dump(const char *dir) {
  struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
  if (chdir(dir) != 0) fail("chdir %s", dir);
  if (setrlimit(RLIMIT_CORE, &unlimited) != 0) fail("setrlimit(RLIMIT_CORE, unlimited)");
  /* do_coredump() returns early for a process that is not dumpable (get_dumpable()). */
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) fail("PR_SET_DUMPABLE");
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

/* The longest the supervisor waits for its processes to exit and its cgroups to empty: the
 * lab's largest victim (2 GiB, in calibrate) exits in about 0.3 s here; 10 s is far past
 * any healthy exit, and the supervisor reports what is left rather than wait for ever. */
#define SUPERVISE_WAIT_MS 10000
/* A session holds one victim and perhaps its vfork child; the bound is generous. */
#define MAX_HELD 256
#define MAX_CGROUPS 8
#define FREEZER_PREFIX "/sys/fs/cgroup/freezer/mrelease-lab-"
/* include/uapi/linux/pidfd.h is newer than some libcs' headers. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Whether fd polls readable within timeout_ms: for a pidfd, the process has exited. */
static int readable(int fd, long timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (timeout_ms < 0) timeout_ms = 0;
  for (;;) {
    int r = poll(&p, 1, (int)timeout_ms);
    if (r >= 0) return r > 0;
    if (errno != EINTR) return 0;
  }
}

/*
 * The parent's pid as the lab's namespace numbers it: field 4 of /proc/self/stat (/proc is the
 * lab's procfs). getppid() answers 0 in the init of a pid namespace the lab made for it.
 */
static long parent_pid(void) {
  char line[512];
  FILE *f = fopen("/proc/self/stat", "r");
  long ppid = -1;
  if (f && fgets(line, sizeof line, f)) {
    const char *end = strrchr(line, ')');
    if (end) sscanf(end + 1, " %*c %ld", &ppid);
  }
  if (f) fclose(f);
  return ppid;
}

/* The pid a pidfd names (the "Pid:" line of its fdinfo), or -1 (not a pidfd, or reaped). */
static long pidfd_pid(int fd) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  FILE *f = fopen(path, "r");
  long pid = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (!strncmp(line, "Pid:", 4)) pid = strtol(line + 4, NULL, 10);
  }
  if (f) fclose(f);
  return pid;
}

struct held {
  int pidfd;
  long pid;
};

static struct held held[MAX_HELD];
static int n_held;
static char cgroups[MAX_CGROUPS][256];
static int n_cgroups;
static char core_dirs[MAX_CGROUPS][256];
static int n_core_dirs;

/* A core directory of the lab's (src/lab/host/coredump.ts): absolute, its last component
 * mrelease-lab-core-LAB-..., no "..". */
static int lab_core_dir(const char *dir, long lab) {
  char prefix[64];
  const char *base = strrchr(dir, '/');
  snprintf(prefix, sizeof prefix, "mrelease-lab-core-%ld-", lab);
  return dir[0] == '/' && base && !strncmp(base + 1, prefix, strlen(prefix)) && !strstr(dir, "..") &&
         strlen(dir) < sizeof core_dirs[0];
}

/* Removes a core directory's core files ("core", "core.PID": format_corename()) and it. */
static int remove_core_dir(const char *dir) {
  char path[512];
  DIR *d = opendir(dir);
  if (!d) return errno == ENOENT ? 0 : -1;
  for (struct dirent *e; (e = readdir(d));) {
    if (strcmp(e->d_name, "core") && strncmp(e->d_name, "core.", 5)) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  return rmdir(dir) == 0 || errno == ENOENT ? 0 : -1;
}

static int lab_done;

/* One message from the lab; answers "ok ..." or "error TEXT" ("done" is not answered). */
static void handle(const char *msg, int fd, long lab) {
  char prefix[128];
  snprintf(prefix, sizeof prefix, "%s%ld-", FREEZER_PREFIX, lab);
  if (!strncmp(msg, "hold ", 5)) {
    long pid = strtol(msg + 5, NULL, 10);
    if (fd < 0) {
      reply("error hold %ld: no pidfd attached", pid);
    } else if (pid <= 2 || pid == lab || pid == getpid() || pidfd_pid(fd) != pid ||
               n_held == MAX_HELD) {
      close(fd);
      reply("error hold %ld: not a pidfd of it, or too many", pid);
    } else {
      held[n_held].pidfd = fd;
      held[n_held].pid = pid;
      n_held++;
      reply("ok hold %ld", pid);
    }
    return;
  }
  if (fd >= 0) close(fd);
  if (!strcmp(msg, "done")) {
    lab_done = 1;
    return;
  }
  if (!strncmp(msg, "coredir ", 8)) {
    if (!lab_core_dir(msg + 8, lab) || n_core_dirs == MAX_CGROUPS) {
      reply("error coredir %s: not the lab's core directory", msg + 8);
    } else {
      strcpy(core_dirs[n_core_dirs++], msg + 8);
      reply("ok coredir");
    }
    return;
  }
  if (!strncmp(msg, "cgroup ", 7)) {
    const char *dir = msg + 7;
    /* Only the lab's own freezer cgroups: its prefix, one level, a sane name. */
    if (strncmp(dir, prefix, strlen(prefix)) || strchr(dir + strlen(prefix), '/') ||
        strstr(dir, "..") || strlen(dir) >= sizeof cgroups[0] || n_cgroups == MAX_CGROUPS) {
      reply("error cgroup %s: not the lab's freezer cgroup", dir);
    } else {
      strcpy(cgroups[n_cgroups++], dir);
      reply("ok cgroup");
    }
    return;
  }
  reply("error unknown message");
}

/*
 * The lab is gone or done: SIGKILL what is held (a frozen process keeps the signal pending),
 * thaw, wait for every held process to exit, remove the cgroups. Returns the number of
 * things left.
 */
static int end_all(long lab, int lab_died) {
  long start = now_ms(), deadline = start + SUPERVISE_WAIT_MS;
  char path[512];
  int alive = 0, present = 0, left = 0;
  for (int i = 0; i < n_held; i++) {
    if (readable(held[i].pidfd, 0)) continue; /* exited already */
    alive++;
    syscall(SYS_pidfd_send_signal, held[i].pidfd, SIGKILL, NULL, 0);
  }
  for (int i = 0; i < n_cgroups; i++) {
    snprintf(path, sizeof path, "%s/freezer.state", cgroups[i]);
    if (access(path, F_OK) != 0) continue; /* never made, or removed by the lab */
    present++;
    write_file(path, "THAWED");
  }
  for (int i = 0; i < n_held; i++) {
    if (!readable(held[i].pidfd, deadline - now_ms())) {
      dprintf(2, "mrelease-lab supervisor: process %ld did not exit\n", held[i].pid);
      left++;
    }
    close(held[i].pidfd);
  }
  for (int i = 0; i < n_cgroups; i++) {
    /* Exited tasks leave a v1 cgroup at exit; an EBUSY here is a member still exiting. */
    while (rmdir(cgroups[i]) != 0 && errno != ENOENT) {
      if (now_ms() > deadline) {
        dprintf(2, "mrelease-lab supervisor: could not remove %s (errno %d)\n", cgroups[i], errno);
        left++;
        break;
      }
      snprintf(path, sizeof path, "%s/freezer.state", cgroups[i]);
      write_file(path, "THAWED");
      usleep(10000);
    }
  }
  for (int i = 0; i < n_core_dirs; i++) {
    if (access(core_dirs[i], F_OK) != 0) continue; /* never made, or removed by the lab */
    present++;
    /* After "done" the lab's close() should have removed it: say so (exit 1, which close()
     * reports), and remove it all the same. */
    if (!lab_died) {
      dprintf(2, "mrelease-lab supervisor: the lab's close() left %s\n", core_dirs[i]);
      left++;
    }
    if (remove_core_dir(core_dirs[i]) != 0) {
      dprintf(2, "mrelease-lab supervisor: could not remove %s (errno %d)\n", core_dirs[i], errno);
      left++;
    }
  }
  if (lab_died && (alive || present)) {
    dprintf(2,
            "mrelease-lab supervisor: the lab (pid %ld) died; killed %d process(es), "
            "removed %d freezer cgroup(s) and core directories in %ld ms%s\n",
            lab, alive, present, now_ms() - start, left ? ", SOME LEFT" : "");
  }
  return left;
}

static int supervise(const char *lab_arg) {
  long lab = strtol(lab_arg, NULL, 10);
  /* Its own session and process group: the lab's Ctrl-C, SIGTERM or hangup is not ours. */
  if (setsid() < 0) {
    reply("error setsid (errno %d)", errno);
    return 1;
  }
  prctl(PR_SET_NAME, "mrelease-superv", 0, 0, 0);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  /* The lab is our parent: if getppid() is still LAB_PID once the pidfd is open, the
   * pidfd names the lab (a dead parent would have made us someone else's child). */
  int lab_fd = lab > 2 && getppid() == lab ? (int)syscall(SYS_pidfd_open, lab, 0) : -1;
  if (lab_fd < 0 || getppid() != lab) {
    reply("error the lab (pid %ld) is not our parent", lab);
    return 1;
  }
  reply("ready %d", (int)getpid());
  int lab_died = 0;
  for (;;) {
    struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = lab_fd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[1].revents) {
      lab_died = 1;
      break;
    }
    if (!p[0].revents) continue;
    char msg[512];
    int fd;
    ssize_t n = recv_from_lab(msg, sizeof msg, &fd);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      /* End of file: after "done", the session's close(); without, the lab's death. */
      lab_died = !lab_done || readable(lab_fd, 0);
      break;
    }
    handle(msg, fd, lab);
  }
  return end_all(lab, lab_died) ? 1 : 0;
}

int main(int argc, char **argv) {
  default_signals();
  if (argc == 3 && !strcmp(argv[1], "--supervise")) return supervise(argv[2]);
  long parent = -1, threads = 0;
  int vfork = 0;
  const char *core_dir = NULL;
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
    } else if (!strcmp(a, "--core-dir")) {
      core_dir = v, i++;
    } else if (!strcmp(a, "--threads")) {
      threads = strtol(v, NULL, 10), i++;
    } else if (!strcmp(a, "--anon") || !strcmp(a, "--locked") || !strcmp(a, "--shared") ||
               !strcmp(a, "--shmem") || !strcmp(a, "--thp")) {
      map(a + 2, v), i++;
    } else {
      fail("unknown option %s", a);
    }
  }
  /* Die with the lab; and if the lab is already gone, do not start at all. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail("PR_SET_PDEATHSIG");
  if (parent <= 0 || parent_pid() != parent) fail("parent %ld is gone", parent);
  if (threads < 0 || threads > 1000) fail("--threads %ld", threads);
  if (core_dir) ready_core_dump(core_dir);
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
