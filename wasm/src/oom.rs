//! The helpers of mm/oom_kill.c that every design shares (reference §B.1, §B.2), and the
//! OOM killer's entry (§B.4) that marks a victim and queues it for the oom_reaper.

use crate::events::{Kind, Warn};
use crate::frame::Frame;
use crate::ids::{MmId, Pid, Tgid};
use crate::mm::{MMF_OOM_REAP_QUEUED, MMF_OOM_SKIP, MMF_OOM_VICTIM};
use crate::params;
use crate::signal::{Sender, SIGKILL};
use crate::task::{TaskState, PF_EXITING};
use crate::world::{Timer, World};

impl World {
    /// find_lock_task_mm(p): the first thread of p's group that still has an mm, returned
    /// with its task_lock held by `ctx` (§B.1).
    pub fn find_lock_task_mm(&mut self, ctx: Pid, p: Pid) -> Option<Pid> {
        let tgid = self.task(p)?.tgid;
        let found = self
            .threads_of(tgid)
            .into_iter()
            .find(|t| self.task(*t).is_some_and(|t| t.mm.is_some()))?;
        if let Some(t) = self.task_mut(found) {
            t.alloc_lock_holder = Some(ctx);
        }
        Some(found)
    }

    /// The process is still on the task list for_each_process() walks: released
    /// (waited-for) ones are not.
    pub fn process_listed(&self, tgid: Tgid) -> bool {
        self.threads_of(tgid)
            .iter()
            .any(|t| self.task(*t).is_some_and(|t| t.state != TaskState::Dead))
    }

    /// process_shares_mm(p, mm): compares with the first thread of p that has an mm.
    pub fn process_shares_mm(&self, p: Tgid, mm: MmId) -> bool {
        self.process(p).is_some_and(|p| self.shares_mm(p, mm))
    }

    fn shares_mm(&self, p: &crate::process::Process, mm: MmId) -> bool {
        p.threads
            .iter()
            .filter_map(|t| self.task(*t))
            .find_map(|t| t.mm)
            == Some(mm)
    }

    /// thread_group_empty(): the leader is the only thread left on the group's list (a
    /// released thread is off the list; a zombie leader is still on it).
    fn thread_group_empty(&self, tgid: Tgid) -> bool {
        self.threads_of(tgid)
            .iter()
            .filter(|t| self.task(**t).is_some_and(|t| t.state != TaskState::Dead))
            .count()
            <= 1
    }

    /// __task_will_free_mem(task) (§B.2): looks only at the signal_struct and PF_EXITING.
    pub fn __task_will_free_mem(&self, task: Pid) -> bool {
        let Some(t) = self.task(task) else {
            return false;
        };
        let Some(p) = self.process(t.tgid) else {
            return false;
        };
        // Rule 1: a core dump in progress: `sig->core_state` from 98b24b16b2ae (v5.17),
        // `sig->flags & SIGNAL_GROUP_COREDUMP` before, which a SIGKILL overwrites.
        let dumping = if self.version.oom_detects_core_state() {
            p.core_state
        } else {
            p.signal_group_coredump
        };
        if dumping {
            return false;
        }
        // Rule 2: SIGNAL_GROUP_EXIT.
        if p.group_exit() {
            return true;
        }
        // Rule 3: a single-threaded task inside do_exit.
        self.thread_group_empty(t.tgid) && t.flags & PF_EXITING != 0
    }

    /// __task_will_free_mem for a process (its leader's signal_struct, any thread's PF_EXITING
    /// when it is the only one).
    pub fn task_will_free_mem_group(&self, tgid: Tgid) -> bool {
        let Some(p) = self.process(tgid) else {
            return false;
        };
        let first = p
            .threads
            .iter()
            .copied()
            .find(|t| self.task(*t).is_some_and(|t| t.state != TaskState::Dead));
        first.is_some_and(|t| self.__task_will_free_mem(t))
    }

    /// task_will_free_mem(task) (§B.2). Returns the answer and how many processes the
    /// for_each_process walk visited (its cost is charged by the caller).
    pub fn task_will_free_mem(&self, task: Pid) -> (bool, u64) {
        let Some(t) = self.task(task) else {
            return (false, 0);
        };
        // Rule 1: no mm (past exit_mm).
        let Some(mm) = t.mm else { return (false, 0) };
        if !self.__task_will_free_mem(task) {
            return (false, 0);
        }
        // Rule 3: "already drained by the oom reaper".
        if self.test_mm_flag(mm, MMF_OOM_SKIP) {
            return (false, 0);
        }
        // Rule 4: no other user, no walk.
        if self.mm(mm).is_some_and(|m| m.users <= 1) {
            return (true, 0);
        }
        // Rule 5: every other process sharing the mm must be dying too; kthreads are not
        // exempt here.
        // Each process's listing and first mm are kept for this walk (proc_mm.rs): it reads
        // those, and a sharer's signal_struct only.
        let own = self.proc_index(t.tgid);
        let mut walked = 0;
        for (i, v) in self.proc_mm.iter().enumerate() {
            if !v.listed() {
                continue;
            }
            walked += 1;
            if Some(i) == own || v.first_mm() != Some(mm) {
                continue;
            }
            let sharer = self.procs.get(i).map(|p| p.tgid);
            if !sharer.is_some_and(|p| self.task_will_free_mem_group(p)) {
                return (false, walked);
            }
        }
        (true, walked)
    }

    /// mark_oom_victim(tsk): TIF_MEMDIE, signal->oom_mm (with mmgrab), MMF_OOM_VICTIM
    /// before v6.0, thaw, trace.
    pub fn mark_oom_victim(&mut self, ctx: Pid, tsk: Pid) {
        let Some(t) = self.task(tsk) else { return };
        let (tgid, mm) = (t.tgid, t.mm);
        if let Some(t) = self.task_mut(tsk) {
            t.memdie = true;
        }
        if let Some(mm) = mm {
            let had = self.process(tgid).and_then(|p| p.oom_mm).is_some();
            if !had {
                if let Some(p) = self.process_mut(tgid) {
                    p.oom_mm = Some(mm);
                }
                self.mmgrab(ctx, mm);
                if self.version.has_mmf_oom_victim() {
                    self.set_mm_flag(ctx, mm, MMF_OOM_VICTIM, true);
                }
            }
        }
        // The frozen victim may run its exit path: __thaw_task(tsk) wakes that one thread;
        // from the 2025 series, thaw_process(tsk) wakes every thread of its process
        // ("mm/oom_kill: thaw the entire OOM victim process").
        let thawed = if self.version.oom_thaws_whole_process() {
            self.threads_of(tgid)
        } else {
            vec![tsk]
        };
        for pid in thawed {
            if self.task(pid).is_some_and(|t| t.state == TaskState::Frozen) {
                self.wake(pid, ctx);
            }
        }
        self.emit(ctx, Kind::MarkVictim, tsk.0 as i64, 0, 0, 0);
    }

    /// queue_oom_reaper(tsk): de-duplicated by MMF_OOM_REAP_QUEUED, delayed by
    /// OOM_REAPER_DELAY from v5.18.
    pub fn queue_oom_reaper(&mut self, ctx: Pid, tsk: Pid) {
        self.queue_oom_reaper_after(ctx, tsk, self.version.oom_reaper_delay_ns());
    }

    /// queue_oom_reaper(tsk) with the timer armed `delay` ns ahead instead of the release's
    /// OOM_REAPER_DELAY (0: wake the kthread now), for a design that queues the reaper itself.
    pub fn queue_oom_reaper_after(&mut self, ctx: Pid, tsk: Pid, delay: u64) {
        let Some(mm) = self
            .task(tsk)
            .and_then(|t| self.process(t.tgid))
            .and_then(|p| p.oom_mm)
        else {
            return;
        };
        if self.test_mm_flag(mm, MMF_OOM_REAP_QUEUED) {
            return;
        }
        self.set_mm_flag(ctx, mm, MMF_OOM_REAP_QUEUED, true);
        if let Some(t) = self.task_mut(tsk) {
            t.usage += 1;
        }
        if delay == 0 {
            self.push_oom_reaper_list(ctx, tsk);
        } else {
            self.add_timer(self.now_ns + delay, Timer::WakeOomReaper { victim: tsk });
        }
    }

    /// wake_oom_reaper() (the timer): drop a victim that already exited on its own.
    pub fn wake_oom_reaper(&mut self, victim: Pid) {
        let mm = self
            .task(victim)
            .and_then(|t| self.process(t.tgid))
            .and_then(|p| p.oom_mm);
        if mm.is_some_and(|mm| self.test_mm_flag(mm, MMF_OOM_SKIP)) {
            self.put_task_struct(Pid(0), victim);
            return;
        }
        self.push_oom_reaper_list(Pid(0), victim);
    }

    fn push_oom_reaper_list(&mut self, ctx: Pid, victim: Pid) {
        self.oom_reaper_list.push(victim);
        self.emit(ctx, Kind::WakeReaper, victim.0 as i64, 0, 0, 0);
        if let Some(r) = self.oom_reaper {
            self.wake(r, ctx);
        }
    }

    pub fn put_task_struct(&mut self, ctx: Pid, tsk: Pid) {
        let Some(t) = self.task_mut(tsk) else { return };
        if t.usage == 0 {
            self.warn(ctx, Warn::TaskRefUnderflow, tsk.0 as i64, 0);
            return;
        }
        t.usage -= 1;
        self.free_task_if_unused(tsk);
    }

    /// A scenario's `oom_kill` event: out_of_memory() in `from` (the task whose allocation
    /// failed) with `victim` the process select_bad_process() would pick. A process it
    /// would pass over is not killed (-1): oom_unkillable_task() (init, kthreads),
    /// oom_badness()'s LONG_MIN (no thread with an mm, MMF_OOM_SKIP on it, a vfork child
    /// in_vfork()), and an OOM victim already being handled (oom_evaluate_task(): `if
    /// (tsk_is_oom_victim(task)) { if (test_bit(MMF_OOM_SKIP, ...)) goto next; goto abort; }`:
    /// no new kill, of it or of any other process, until the reaper or its exit_mmap is done
    /// with it). Otherwise oom_kill_process() as the
    /// baseline's (mm/oom_kill.c): the number of processes signalled, 0 when the victim
    /// was already dying (task_will_free_mem(): marked and queued, no signal). The history
    /// the event states costs `from` nothing: its CPU time is not the lab's question.
    pub fn oom_kill_event(&mut self, from: Pid, victim: Tgid) -> i32 {
        // select_bad_process() runs oom_evaluate_task() over every process before it picks
        // one: a listed OOM victim whose mm has no MMF_OOM_SKIP yet aborts the whole
        // selection (`goto abort`), whichever process the event names: nobody is killed.
        let pending = self.procs.iter().any(|p| {
            !p.kthread
                && !p.unkillable()
                && self.process_listed(p.tgid)
                && p.oom_mm
                    .is_some_and(|mm| !self.test_mm_flag(mm, MMF_OOM_SKIP))
        });
        if pending {
            return -1;
        }
        let Some(p) = self.process(victim) else {
            return -1;
        };
        if p.kthread || p.unkillable() || p.vfork_child || p.oom_mm.is_some() {
            return -1;
        }
        let mm = self
            .threads_of(victim)
            .into_iter()
            .find_map(|t| self.task(t).and_then(|t| t.mm));
        match mm {
            Some(mm) if !self.test_mm_flag(mm, MMF_OOM_SKIP) => {}
            _ => return -1,
        }
        self.oom_kill(from, victim, false)
    }

    /// oom_kill_process() → __oom_kill_process() in `ctx` (the task that hit OOM), for a
    /// victim process: the OOM baseline. Returns the number of processes signalled.
    pub fn oom_kill_process(&mut self, ctx: Pid, victim: Tgid) -> i32 {
        self.oom_kill(ctx, victim, true)
    }

    /// oom_kill_process(), its walks charged to `ctx` when `charge`.
    fn oom_kill(&mut self, ctx: Pid, victim: Tgid, charge: bool) -> i32 {
        let charge_ns = |walked: u64| {
            if charge {
                walked * params::TWFM_NS_PER_PROCESS
            } else {
                0
            }
        };
        let leader = Pid(victim.0);
        let (will_free, walked) = self.task_will_free_mem(leader);
        self.charge_ext(ctx, charge_ns(walked));
        if will_free {
            self.mark_oom_victim(ctx, leader);
            self.queue_oom_reaper(ctx, leader);
            return 0;
        }
        let Some(v) = self.find_lock_task_mm(ctx, leader) else {
            return -crate::errno::ESRCH;
        };
        let Some(mm) = self.task(v).and_then(|t| t.mm) else {
            return -crate::errno::ESRCH;
        };
        self.mmgrab(ctx, mm);
        self.send_group_signal(Sender::Kernel(ctx), SIGKILL, victim);
        self.mark_oom_victim(ctx, v);
        if let Some(t) = self.task_mut(v) {
            t.alloc_lock_holder = None;
        }
        let mut can_oom_reap = true;
        let mut signalled = 1;
        let sharers: Vec<(Tgid, bool, bool)> = self
            .procs
            .iter()
            .filter(|p| p.tgid != victim && self.process_shares_mm(p.tgid, mm))
            .map(|p| (p.tgid, p.unkillable(), p.kthread))
            .collect();
        let listed = self
            .procs
            .iter()
            .filter(|p| self.process_listed(p.tgid))
            .count() as u64;
        self.charge_ext(ctx, charge_ns(listed));
        for (tgid, init, kthread) in sharers {
            if init {
                can_oom_reap = false;
                self.set_mm_flag(ctx, mm, MMF_OOM_SKIP, true);
                self.warn(ctx, Warn::MmPinnedByInit, tgid.0 as i64, 0);
                continue;
            }
            if kthread {
                continue;
            }
            self.send_group_signal(Sender::Kernel(ctx), SIGKILL, tgid);
            signalled += 1;
        }
        if can_oom_reap {
            self.queue_oom_reaper(ctx, v);
        }
        self.mmdrop(ctx, mm);
        signalled
    }

    /// Creates the oom_reaper kthread (mm/oom_kill.c oom_init) with the lowest free pid
    /// from 16 up: kthreads get small pids at boot.
    pub fn spawn_oom_reaper(&mut self) {
        let mut pid = 16;
        while self.task(Pid(pid)).is_some() || self.process(Tgid(pid)).is_some() {
            pid += 1;
        }
        let all = if self.cpus.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.cpus.len()) - 1
        };
        let mut t = crate::task::Task::new(
            Pid(pid),
            Tgid(pid),
            crate::ids::CpuId(0),
            all,
            crate::task::Policy::Normal { nice: 0 },
        );
        t.flags |= crate::task::PF_KTHREAD;
        t.frames.push(Frame::OomReaper(crate::frame::Reaper {
            pc: crate::frame::ReaperPc::Wait,
            victim: None,
            mm: None,
            attempts: 0,
            success: false,
        }));
        t.state = TaskState::Sleeping {
            kind: crate::task::SleepKind::Interruptible,
            waiting: crate::task::WaitFor::OomReaperWork,
        };
        self.add_task(t);
        self.add_process(crate::process::Process {
            tgid: Tgid(pid),
            parent: None,
            threads: vec![Pid(pid)],
            live_threads: 1,
            cred: crate::process::Cred {
                uid: 0,
                euid: 0,
                caps: crate::process::CAPS_MASK,
            },
            signal_flags: 0,
            core_state: false,
            signal_group_coredump: false,
            pgid: Tgid(pid),
            kthread: true,
            parent_waits: false,
            vfork_child: false,
            sigkill_queued: false,
            oom_mm: None,
            exit_code: 0,
            fds: Default::default(),
        });
        self.oom_reaper = Some(Pid(pid));
    }
}
