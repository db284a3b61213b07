/*
 * What the lab's C helpers (victim.c, nscaller.c) share; helper.ts hashes this file with each
 * helper's source, so that an edit here rebuilds both.
 */
#ifndef MRELEASE_LAB_HELPER_H
#define MRELEASE_LAB_HELPER_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Signals as a fresh process has them, whatever the spawner had blocked or ignored. */
static void default_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int s = 1; s < 32; s++) {
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  }
}

/* One message to the lab on its socket (fd 0), formatted. */
static void reply(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  /* The lab may be gone: MSG_NOSIGNAL, so that its end of the socket cannot SIGPIPE us. */
  if (n > 0) send(0, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, MSG_NOSIGNAL);
}

/*
 * One message from the lab's socket (fd 0) into msg, NUL-terminated, and the fd attached to
 * it (SCM_RIGHTS, received O_CLOEXEC) in *fd, else -1: the length, 0 at end of file, or -1
 * with errno (EINTR: try again).
 */
static ssize_t recv_from_lab(char *msg, size_t size, int *fd) {
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  struct iovec iov = {.iov_base = msg, .iov_len = size - 1};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                      .msg_controllen = sizeof control.buf};
  *fd = -1;
  ssize_t n = recvmsg(0, &mh, MSG_CMSG_CLOEXEC);
  if (n < 0) return -1;
  msg[n] = 0;
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
      c->cmsg_len == CMSG_LEN(sizeof(int))) {
    memcpy(fd, CMSG_DATA(c), sizeof *fd);
  }
  return n;
}

#endif
