//! mm reference counting (mmget/mmput, mmgrab/mmdrop), MMF_ flags and mmap_lock, each
//! emitting its event. A design that drops a reference it does not hold gets the kernel's
//! refcount warning, not a crash.

use crate::events::{Kind, LockOp, Warn};
use crate::frame::Frame;
use crate::ids::{MmId, Pid};
use crate::mm::MmState;
use crate::rwsem::{LockMode, Waiter};
use crate::task::{SleepKind, WaitFor};
use crate::world::World;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockHow {
    /// mmap_read_lock / mmap_write_lock: uninterruptible sleep.
    Block,
    /// mmap_read_lock_killable: a fatal signal ends the wait with -EINTR.
    Killable,
    /// mmap_read_trylock.
    Try,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockAnswer {
    Acquired,
    /// The task now sleeps on the lock; it holds it when it runs again (or got -EINTR).
    Blocked,
    Interrupted,
    Busy,
}

impl World {
    fn emit_mm_ref(&mut self, ctx: Pid, mm: MmId) {
        let (u, c) = self.mm(mm).map(|m| (m.users, m.count)).unwrap_or((0, 0));
        self.emit(ctx, Kind::MmRef, mm.0 as i64, u as i64, c as i64, 0);
    }

    pub fn mmget(&mut self, ctx: Pid, mm: MmId) {
        if let Some(m) = self.mm_mut(mm) {
            m.users += 1;
        }
        self.emit_mm_ref(ctx, mm);
    }

    /// mmget_not_zero(): fails once the last user has gone.
    pub fn mmget_not_zero(&mut self, ctx: Pid, mm: MmId) -> bool {
        let ok = self.mm(mm).is_some_and(|m| m.users > 0);
        if ok {
            self.mmget(ctx, mm);
        }
        ok
    }

    /// Drops a user. Returns true when it was the last: the caller must now run
    /// exit_mmap() in its own context (it is the kernel's __mmput).
    pub fn mmput_begin(&mut self, ctx: Pid, mm: MmId) -> bool {
        let Some(m) = self.mm_mut(mm) else {
            return false;
        };
        if m.users == 0 {
            self.warn(ctx, Warn::MmRefUnderflow, 1, mm.0 as i64);
            return false;
        }
        m.users -= 1;
        let last = m.users == 0;
        if last {
            m.state = MmState::Exiting;
        }
        self.emit_mm_ref(ctx, mm);
        last
    }

    /// mmput() from a context that is not a frame (a timer): the last one runs exit_mmap
    /// in `ctx`'s context, or in the oom_reaper kthread's when `ctx` is gone.
    pub fn mmput(&mut self, ctx: Pid, mm: MmId) {
        if !self.mmput_begin(ctx, mm) {
            return;
        }
        let runner = match self.task(ctx) {
            Some(t) if t.state.is_alive() => Some(ctx),
            _ => self.oom_reaper,
        };
        match runner {
            Some(r) => {
                if let Some(t) = self.task_mut(r) {
                    t.frames.push(Frame::ExitMmap { mm, pc: 0 });
                }
                self.wake(r, ctx);
            }
            None => self.bug(format!("no task to run exit_mmap of mm {}", mm.0)),
        }
    }

    pub fn mmgrab(&mut self, ctx: Pid, mm: MmId) {
        if let Some(m) = self.mm_mut(mm) {
            m.count += 1;
        }
        self.emit_mm_ref(ctx, mm);
    }

    pub fn mmdrop(&mut self, ctx: Pid, mm: MmId) {
        let Some(m) = self.mm_mut(mm) else { return };
        if m.count == 0 || (m.count == 1 && m.users > 0) {
            self.warn(ctx, Warn::MmRefUnderflow, 0, mm.0 as i64);
            return;
        }
        m.count -= 1;
        if m.count == 0 {
            m.state = MmState::Freed;
        }
        self.emit_mm_ref(ctx, mm);
    }

    pub fn set_mm_flag(&mut self, ctx: Pid, mm: MmId, bit: u32, on: bool) {
        let Some(m) = self.mm_mut(mm) else { return };
        let was = m.flags & bit != 0;
        if on {
            m.flags |= bit;
        } else {
            m.flags &= !bit;
        }
        if was != on {
            self.emit(ctx, Kind::MmFlag, mm.0 as i64, bit as i64, on as i64, 0);
        }
    }

    pub fn test_mm_flag(&self, mm: MmId, bit: u32) -> bool {
        self.mm(mm).is_some_and(|m| m.test(bit))
    }

    // ---- mmap_lock ---------------------------------------------------------------------

    pub fn mmap_lock(&mut self, pid: Pid, mm: MmId, mode: LockMode, how: LockHow) -> LockAnswer {
        let Some(m) = self.mm_mut(mm) else {
            return LockAnswer::Busy;
        };
        if how == LockHow::Try {
            let ok = mode == LockMode::Read && m.lock.try_read(pid);
            if !ok {
                self.emit(
                    pid,
                    Kind::MmapLock,
                    mm.0 as i64,
                    LockOp::TrylockFailed as u8 as i64,
                    0,
                    0,
                );
                return LockAnswer::Busy;
            }
            self.note_acquired(pid, mm, mode);
            return LockAnswer::Acquired;
        }
        if m.lock.can_grant_now(mode) {
            m.lock.take(pid, mode);
            self.note_acquired(pid, mm, mode);
            return LockAnswer::Acquired;
        }
        let fatal = self.task(pid).is_some_and(|t| t.sigkill_pending);
        if how == LockHow::Killable && fatal {
            return LockAnswer::Interrupted;
        }
        let killable = how == LockHow::Killable;
        if let Some(m) = self.mm_mut(mm) {
            m.lock.enqueue(Waiter {
                pid,
                mode,
                killable,
            });
        }
        let op = if mode == LockMode::Read {
            LockOp::ReadWaiting
        } else {
            LockOp::WriteWaiting
        };
        self.emit(pid, Kind::MmapLock, mm.0 as i64, op as u8 as i64, 0, 0);
        let kind = if killable {
            SleepKind::Killable
        } else {
            SleepKind::Uninterruptible
        };
        self.sleep(pid, kind, WaitFor::MmapLock(mm), None);
        LockAnswer::Blocked
    }

    fn note_acquired(&mut self, pid: Pid, mm: MmId, mode: LockMode) {
        if let Some(t) = self.task_mut(pid) {
            t.held.push((mm, mode));
            t.result = 0;
        }
        let op = if mode == LockMode::Read {
            LockOp::ReadAcquired
        } else {
            LockOp::WriteAcquired
        };
        self.emit(pid, Kind::MmapLock, mm.0 as i64, op as u8 as i64, 0, 0);
    }

    /// Returns false (and warns) when `pid` did not hold it.
    pub fn mmap_unlock(&mut self, pid: Pid, mm: MmId, mode: LockMode) -> bool {
        let released = self.mm_mut(mm).is_some_and(|m| m.lock.release(pid, mode));
        if !released {
            self.warn(pid, Warn::UnlockNotHeld, mm.0 as i64, 0);
            return false;
        }
        if let Some(t) = self.task_mut(pid) {
            if let Some(i) = t.held.iter().position(|h| *h == (mm, mode)) {
                t.held.remove(i);
            }
        }
        let op = if mode == LockMode::Read {
            LockOp::ReadReleased
        } else {
            LockOp::WriteReleased
        };
        self.emit(pid, Kind::MmapLock, mm.0 as i64, op as u8 as i64, 0, 0);
        self.grant_mmap_lock_waiters(mm);
        true
    }

    pub fn grant_mmap_lock_waiters(&mut self, mm: MmId) {
        let woken = match self.mm_mut(mm) {
            Some(m) => m.lock.grant_waiters(),
            None => return,
        };
        for w in woken {
            self.note_acquired(w.pid, mm, w.mode);
            self.wake(w.pid, w.pid);
        }
    }
}
