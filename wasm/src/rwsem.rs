//! mmap_lock as a reader/writer semaphore with FIFO waiters (kernel/locking/rwsem.c, much
//! simplified): a new reader queues behind any waiter, so a waiting writer is not starved;
//! on release the head of the queue is granted, plus the readers right behind a granted
//! reader.

use crate::ids::Pid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockMode {
    Read,
    Write,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Waiter {
    pub pid: Pid,
    pub mode: LockMode,
    /// mmap_read_lock_killable: a fatal signal takes it out of the queue with -EINTR.
    pub killable: bool,
}

#[derive(Clone, Default, PartialEq)]
pub struct RwSem {
    readers: Vec<Pid>,
    writer: Option<Pid>,
    waiters: Vec<Waiter>,
}

impl RwSem {
    pub fn can_grant_now(&self, mode: LockMode) -> bool {
        match mode {
            LockMode::Read => self.writer.is_none() && self.waiters.is_empty(),
            LockMode::Write => {
                self.writer.is_none() && self.readers.is_empty() && self.waiters.is_empty()
            }
        }
    }

    /// `down_read_trylock` (kernel/locking/rwsem.c __down_read_trylock): fails while
    /// `tmp & RWSEM_READ_FAILED_MASK`, which holds RWSEM_WRITER_MASK and RWSEM_FLAG_WAITERS:
    /// a writer holding it, or anyone queued (a waiting writer, or readers behind one).
    pub fn try_read(&mut self, pid: Pid) -> bool {
        if self.writer.is_none() && self.waiters.is_empty() {
            self.readers.push(pid);
            true
        } else {
            false
        }
    }

    pub fn take(&mut self, pid: Pid, mode: LockMode) {
        match mode {
            LockMode::Read => self.readers.push(pid),
            LockMode::Write => self.writer = Some(pid),
        }
    }

    pub fn enqueue(&mut self, w: Waiter) {
        self.waiters.push(w);
    }

    /// Removes a killed waiter; returns whether it was queued.
    pub fn dequeue(&mut self, pid: Pid) -> bool {
        let before = self.waiters.len();
        self.waiters.retain(|w| w.pid != pid);
        before != self.waiters.len()
    }

    /// Releases `pid`'s hold. Returns false if `pid` held nothing in `mode`.
    pub fn release(&mut self, pid: Pid, mode: LockMode) -> bool {
        match mode {
            LockMode::Read => match self.readers.iter().position(|p| *p == pid) {
                Some(i) => {
                    self.readers.remove(i);
                    true
                }
                None => false,
            },
            LockMode::Write => {
                if self.writer == Some(pid) {
                    self.writer = None;
                    true
                } else {
                    false
                }
            }
        }
    }

    /// Grants the lock to whoever may have it now; returns the woken waiters in order.
    pub fn grant_waiters(&mut self) -> Vec<Waiter> {
        let mut woken = Vec::new();
        while let Some(head) = self.waiters.first().copied() {
            let ok = match head.mode {
                LockMode::Write => self.writer.is_none() && self.readers.is_empty(),
                LockMode::Read => self.writer.is_none(),
            };
            if !ok {
                break;
            }
            self.waiters.remove(0);
            self.take(head.pid, head.mode);
            woken.push(head);
            if head.mode == LockMode::Write {
                break;
            }
        }
        woken
    }

    pub fn holds(&self, pid: Pid, mode: LockMode) -> bool {
        match mode {
            LockMode::Read => self.readers.contains(&pid),
            LockMode::Write => self.writer == Some(pid),
        }
    }

    pub fn writer(&self) -> Option<Pid> {
        self.writer
    }

    pub fn reader_count(&self) -> usize {
        self.readers.len()
    }

    pub fn waiter_count(&self) -> usize {
        self.waiters.len()
    }

    /// A lock held by nobody has no waiters (otherwise one would have been granted).
    pub fn is_consistent(&self) -> bool {
        let held = self.writer.is_some() || !self.readers.is_empty();
        let exclusive = self.writer.is_none() || self.readers.is_empty();
        exclusive && (held || self.waiters.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_queues_behind_waiting_writer() {
        let mut s = RwSem::default();
        s.take(Pid(1), LockMode::Read);
        s.enqueue(Waiter {
            pid: Pid(2),
            mode: LockMode::Write,
            killable: false,
        });
        assert!(!s.can_grant_now(LockMode::Read));
        assert!(!s.try_read(Pid(3)));
        assert!(s.release(Pid(1), LockMode::Read));
        let w = s.grant_waiters();
        assert_eq!(w.len(), 1);
        assert!(s.holds(Pid(2), LockMode::Write));
    }

    /// RWSEM_FLAG_WAITERS is set for any queued waiter, a reader too: a reader left queued
    /// behind a writer that was then killed out of the queue still makes a trylock fail
    /// until the waiters are granted.
    #[test]
    fn trylock_fails_with_any_waiter() {
        let mut s = RwSem::default();
        s.take(Pid(1), LockMode::Read);
        for (pid, mode) in [(2, LockMode::Write), (3, LockMode::Read)] {
            s.enqueue(Waiter {
                pid: Pid(pid),
                mode,
                killable: true,
            });
        }
        assert!(s.dequeue(Pid(2)), "the writer is killed out of the queue");
        assert!(!s.try_read(Pid(4)), "reader 3 is still queued");
        assert_eq!(s.grant_waiters().len(), 1);
        assert!(s.try_read(Pid(4)));
    }

    #[test]
    fn consecutive_readers_granted_together() {
        let mut s = RwSem::default();
        s.take(Pid(1), LockMode::Write);
        for p in 2..5 {
            s.enqueue(Waiter {
                pid: Pid(p),
                mode: LockMode::Read,
                killable: true,
            });
        }
        s.enqueue(Waiter {
            pid: Pid(9),
            mode: LockMode::Write,
            killable: false,
        });
        s.release(Pid(1), LockMode::Write);
        assert_eq!(s.grant_waiters().len(), 3);
        assert_eq!(s.waiter_count(), 1);
        assert!(s.is_consistent());
    }
}
