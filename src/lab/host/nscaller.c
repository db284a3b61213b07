/*
 * The lab's caller helper for scenarios whose memory killer runs in a child pid namespace
 * (src/lab/host/pidns.ts). unshare(CLONE_NEWPID) moves only the caller's future CHILDREN
 * into the new namespace (kernel/nsproxy.c: it sets pid_ns_for_children; the caller's own
 * struct pid never changes), so the lab, a multi-threaded Deno, cannot be that caller
 * itself. Built like the victim helper (src/lab/host/helper.ts) and started by the lab with
 * posix_spawn:
 *
 *   nscaller --parent LAB_PID --levels N      (1 <= N <= MAX_LEVELS)
 *
 * Its stdin is an AF_UNIX SOCK_SEQPACKET socket whose other end only the lab holds. It dies
 * with the lab (PR_SET_PDEATHSIG) and starts nothing if the lab is already gone. Then, N
 * times: unshare(CLONE_NEWPID) and fork(); the parent closes its copy of the socket, waits
 * for its child and exits with it; the child (pid 1 of the new namespace) dies with its
 * parent (PR_SET_PDEATHSIG: a SIGKILL from an ancestor namespace reaches a namespace's init,
 * send_signal_locked() in kernel/signal.c: "Force if sent from an ancestor pid namespace")
 * and goes on. The last child, pid 1 of a namespace N levels below the lab's, is the
 * caller: it says "ready P1 ... PN" (each level's pid as the lab's namespace numbers it:
 * /proc is the lab's procfs, whose /proc/self link answers in that namespace), then serves
 * one message at a time, each answered with one message:
 *
 *   "fd" with an fd attached (SCM_RIGHTS)   -> "fd N": its own number for the received copy
 *   "sys NR A0 A1 A2 A3 A4 A5 IOVARG [BASE LEN]..."
 *                                           -> "ret R WALL_NS CPU_NS RUSAGE_NS": syscall(NR,
 *                                              A0..A5) as the kernel answers it (R is the result
 *                                              or -errno), timed; when IOVARG is 0..5, that
 *                                              argument is a struct iovec array of the (BASE,
 *                                              LEN) pairs that follow, built in this process
 *
 * until end of file, when it exits 0. Only the calls a memory killer's recipe makes are
 * accepted (pidfd_send_signal, pidfd_open, process_madvise, process_mrelease, close, kill of
 * a pid > 1, and the unassigned number 400): anything else answers "error ...". Nothing
 * here decides what may be touched: the lab's guard does (pidns.ts), and the namespace
 * itself holds only this process, so a pid number names nothing of anyone else's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "_helper.h"

/* The kernel's MAX_PID_NS_LEVEL (include/linux/pid_namespace.h): the lab sits at level 0. */
#define MAX_LEVELS 32
/* The lab's bound on intent.call.iov (docs/scenario-format.md, "Limits"). */
#define MAX_IOV 64
/* syscall_64.tbl: "don't use numbers 387 through 423"; the lab's unassigned call. */
#define SYS_UNASSIGNED 400

static long ns_of(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long rusage_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_THREAD, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000L +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000L;
}

/* This process's pid in the lab's namespace: /proc is the lab's procfs. */
static long lab_pid_of_self(void) {
  char link[64];
  ssize_t n = readlink("/proc/self", link, sizeof link - 1);
  if (n <= 0) return -1;
  link[n] = 0;
  return strtol(link, NULL, 10);
}

static int allowed(long nr, long a0) {
  switch (nr) {
    case SYS_pidfd_send_signal:
    case SYS_pidfd_open:
    case SYS_process_madvise:
    case SYS_process_mrelease:
    case SYS_close:
    case SYS_UNASSIGNED:
      return 1;
    case SYS_kill:
      /* Never a process group (0, negative) or the namespace's init (1, this process). */
      return a0 > 1;
    default:
      return 0;
  }
}

static void call(char *msg) {
  long nr, a[6], iovarg;
  int used = 0;
  if (sscanf(msg, "sys %ld %ld %ld %ld %ld %ld %ld %ld%n", &nr, &a[0], &a[1], &a[2], &a[3],
             &a[4], &a[5], &iovarg, &used) != 8) {
    reply("error bad request");
    return;
  }
  if (!allowed(nr, a[0])) {
    reply("error syscall %ld not allowed", nr);
    return;
  }
  struct iovec iov[MAX_IOV];
  int n_iov = 0;
  char *p = msg + used;
  unsigned long base, len;
  while (sscanf(p, " %lu %lu%n", &base, &len, &used) == 2) {
    if (n_iov == MAX_IOV) {
      reply("error more than %d iovecs", MAX_IOV);
      return;
    }
    iov[n_iov].iov_base = (void *)base;
    iov[n_iov].iov_len = len;
    n_iov++;
    p += used;
  }
  if (iovarg >= 0 && iovarg < 6) a[iovarg] = n_iov ? (long)iov : 0;
  long r0 = rusage_ns(), c0 = ns_of(CLOCK_THREAD_CPUTIME_ID), w0 = ns_of(CLOCK_MONOTONIC);
  long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (r == -1) r = -errno;
  long w1 = ns_of(CLOCK_MONOTONIC), c1 = ns_of(CLOCK_THREAD_CPUTIME_ID), r1 = rusage_ns();
  reply("ret %ld %ld %ld %ld", r, w1 - w0, c1 - c0, r1 - r0);
}

static int serve(void) {
  for (;;) {
    char msg[4096];
    int fd;
    ssize_t n = recv_from_lab(msg, sizeof msg, &fd);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0; /* the lab is done (or gone) */
    if (!strcmp(msg, "fd") && fd >= 0) {
      reply("fd %d", fd);
    } else {
      if (fd >= 0) close(fd);
      if (!strncmp(msg, "sys ", 4)) call(msg);
      else reply("error unknown request");
    }
  }
}

int main(int argc, char **argv) {
  default_signals();
  long parent = argc == 5 && !strcmp(argv[1], "--parent") ? strtol(argv[2], NULL, 10) : -1;
  long levels = argc == 5 && !strcmp(argv[3], "--levels") ? strtol(argv[4], NULL, 10) : -1;
  if (parent <= 0 || levels < 1 || levels > MAX_LEVELS) {
    reply("error usage: nscaller --parent LAB_PID --levels 1..%d", MAX_LEVELS);
    return 2;
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent) {
    reply("error the lab (%ld) is gone", parent);
    return 1;
  }
  long pids[MAX_LEVELS];
  for (long level = 0; level < levels; level++) {
    if (unshare(CLONE_NEWPID) != 0) {
      reply("error unshare(CLONE_NEWPID): %s", strerror(errno));
      return 1;
    }
    pid_t child = fork();
    if (child < 0) {
      reply("error fork: %s", strerror(errno));
      return 1;
    }
    if (child > 0) {
      /* Only the caller keeps the lab's socket: its end of file then ends every level. */
      close(0);
      int status = 0;
      while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
      return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    /* The new namespace's init: its parent is outside it, so getppid() is 0 here. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getpid() != 1) {
      reply("error level %ld: not pid 1 of a new namespace", level + 1);
      return 1;
    }
    pids[level] = lab_pid_of_self();
  }
  char line[MAX_LEVELS * 12 + 16];
  int at = snprintf(line, sizeof line, "ready");
  for (long level = 0; level < levels; level++) {
    at += snprintf(line + at, sizeof line - at, " %ld", pids[level]);
  }
  reply("%s", line);
  return serve();
}
