//! The oom_reaper kthread (mm/oom_kill.c oom_reaper → oom_reap_task → oom_reap_task_mm,
//! reference §B.4): LIFO list, trylock, MAX_OOM_REAP_RETRIES attempts HZ/10 apart, and
//! MMF_OOM_SKIP set at the end whatever happened.

use crate::events::{Kind, Warn};
use crate::frame::{Frame, Reaper, ReaperPc, Zap, ZapMode};
use crate::ids::Pid;
use crate::mm::MMF_OOM_SKIP;
use crate::mmops::{LockAnswer, LockHow};
use crate::params;
use crate::rwsem::LockMode;
use crate::task::{SleepKind, WaitFor};
use crate::world::World;

impl World {
    pub fn step_reaper(&mut self, me: Pid, mut r: Reaper) -> u64 {
        match r.pc {
            ReaperPc::Wait => match self.oom_reaper_list.pop() {
                None => self.sleep(me, SleepKind::Interruptible, WaitFor::OomReaperWork, None),
                Some(victim) => {
                    r.victim = Some(victim);
                    r.mm = self
                        .task(victim)
                        .and_then(|t| self.process(t.tgid))
                        .and_then(|p| p.oom_mm);
                    r.attempts = 0;
                    r.success = false;
                    r.pc = if r.mm.is_some() {
                        ReaperPc::Attempt
                    } else {
                        ReaperPc::Done
                    };
                }
            },
            ReaperPc::Attempt => self.reap_attempt(me, &mut r),
            ReaperPc::AfterZap => {
                let ok = self.task(me).is_some_and(|t| t.result == 1);
                let victim = r.victim.map(|v| v.0 as i64).unwrap_or(0);
                self.emit(me, Kind::FinishTaskReaping, victim, 0, 0, 0);
                if let Some(mm) = r.mm {
                    self.mmap_unlock(me, mm, LockMode::Read);
                }
                self.after_attempt(me, &mut r, ok);
            }
            ReaperPc::Done => {
                let victim = r.victim.unwrap_or(Pid(0));
                if let Some(mm) = r.mm {
                    if !r.success && !self.test_mm_flag(mm, MMF_OOM_SKIP) {
                        self.warn(me, Warn::UnableToReap, victim.0 as i64, 0);
                    }
                    self.set_mm_flag(me, mm, MMF_OOM_SKIP, true);
                }
                self.put_task_struct(me, victim);
                r = Reaper {
                    pc: ReaperPc::Wait,
                    victim: None,
                    mm: None,
                    attempts: 0,
                    success: false,
                };
            }
        }
        // The frame may no longer be on top (a zap was pushed above it).
        if let Some(t) = self.task_mut(me) {
            if let Some(f) = t
                .frames
                .iter_mut()
                .rev()
                .find(|f| matches!(f, Frame::OomReaper(_)))
            {
                *f = Frame::OomReaper(r);
            }
        }
        self.cost_on(me, params::PRIMITIVE_NS)
    }

    /// oom_reap_task_mm(): trylock; skip an mm exit_mmap already finished with; else reap.
    fn reap_attempt(&mut self, me: Pid, r: &mut Reaper) {
        let (Some(mm), Some(victim)) = (r.mm, r.victim) else {
            r.pc = ReaperPc::Done;
            return;
        };
        r.attempts += 1;
        if self.mmap_lock(me, mm, LockMode::Read, LockHow::Try) != LockAnswer::Acquired {
            self.emit(me, Kind::SkipTaskReaping, victim.0 as i64, 0, 0, 0);
            self.after_attempt(me, r, false);
            return;
        }
        if self.test_mm_flag(mm, MMF_OOM_SKIP) {
            self.emit(me, Kind::SkipTaskReaping, victim.0 as i64, 0, 0, 0);
            self.mmap_unlock(me, mm, LockMode::Read);
            self.after_attempt(me, r, true);
            return;
        }
        self.emit(me, Kind::StartTaskReaping, victim.0 as i64, 0, 0, 0);
        r.pc = ReaperPc::AfterZap;
        self.start_zap(me, Zap::new(mm, ZapMode::Reap, true));
    }

    /// `while (attempts++ < MAX_OOM_REAP_RETRIES && !oom_reap_task_mm()) schedule_timeout_idle(HZ/10)`
    fn after_attempt(&mut self, me: Pid, r: &mut Reaper, ok: bool) {
        if ok {
            r.success = true;
            r.pc = ReaperPc::Done;
            return;
        }
        // Every failed attempt, the last one too, is followed by the HZ/10 sleep; the loop
        // condition is only tested after it (so giving up takes about 1 s).
        r.pc = if r.attempts < params::MAX_OOM_REAP_RETRIES {
            ReaperPc::Attempt
        } else {
            ReaperPc::Done
        };
        let at = self.now_ns + params::OOM_REAP_RETRY_SLEEP_NS;
        self.sleep(me, SleepKind::Uninterruptible, WaitFor::Plain, Some(at));
    }
}
