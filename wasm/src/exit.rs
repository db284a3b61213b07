//! The victim's own paths (kernel/exit.c, mm/mmap.c): noticing the fatal signal, do_exit,
//! exit_mm, the last mmput's exit_mmap in the shape of the selected kernel, becoming a
//! zombie and being released (reference §B.5).

use crate::events::{ExitMmapPhase, Kind, Warn};
use crate::frame::{ExitPc, Frame, Zap, ZapMode};
use crate::ids::{MmId, Pid, Tgid};
use crate::mm::{MmState, MMF_OOM_SKIP, MMF_OOM_VICTIM};
use crate::mmops::LockHow;
use crate::params;
use crate::rwsem::LockMode;
use crate::signal::SIGKILL;
use crate::task::{SleepKind, TaskState, WaitFor, PF_EXITING};
use crate::version::ExitMmapShape;
use crate::vma::VMA_ROBUST_LIST;
use crate::world::World;

/// One operation of exit_mmap(); `victim_only` ones run only for an MMF_OOM_VICTIM mm.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Start,
    Reap,
    SetOomSkip,
    Lock(LockMode),
    Unlock(LockMode),
    Unmap,
    /// unmap_vmas() returned (traced as `ExitMmapPhase::Unmapped`).
    Unmapped,
    FreePgtables,
    RemoveVmas,
    Finish,
}

use LockMode::{Read, Write};

/// v4.17-v5.16 (27ae357fa82b): an OOM victim reaps itself, sets MMF_OOM_SKIP and takes the
/// write lock as a barrier; every other mm is unmapped and freed with no lock at all.
const UNLOCKED: &[(Op, bool)] = &[
    (Op::Start, false),
    (Op::Reap, true),
    (Op::SetOomSkip, true),
    (Op::Lock(Write), true),
    (Op::Unlock(Write), true),
    (Op::Unmap, false),
    (Op::Unmapped, false),
    (Op::FreePgtables, false),
    (Op::RemoveVmas, false),
    (Op::Finish, false),
];

/// v5.17 (64591e8605d6): unmap, free_pgtables and VMA removal under the write lock.
const WRITE_LOCKED: &[(Op, bool)] = &[
    (Op::Start, false),
    (Op::Reap, true),
    (Op::SetOomSkip, true),
    (Op::Lock(Write), false),
    (Op::Unmap, false),
    (Op::Unmapped, false),
    (Op::FreePgtables, false),
    (Op::RemoveVmas, false),
    (Op::Unlock(Write), false),
    (Op::Finish, false),
];

/// v6.0+ (bf3980c85212): unmap under the read lock, MMF_OOM_SKIP for every mm, then free
/// under the write lock.
const READ_THEN_WRITE: &[(Op, bool)] = &[
    (Op::Start, false),
    (Op::Lock(Read), false),
    (Op::Unmap, false),
    (Op::Unmapped, false),
    (Op::Unlock(Read), false),
    (Op::SetOomSkip, false),
    (Op::Lock(Write), false),
    (Op::FreePgtables, false),
    (Op::RemoveVmas, false),
    (Op::Unlock(Write), false),
    (Op::Finish, false),
];

/// The exit_mmap_write_lock variant (variant.rs, Linus Torvalds 2026): the whole teardown
/// under one write lock, as 5.17's, with 6.0's MMF_OOM_SKIP for every mm set inside it
/// (derived), so a reaper waiting for the read lock finds the work done.
const WRITE_LOCKED_2026: &[(Op, bool)] = &[
    (Op::Start, false),
    (Op::Lock(Write), false),
    (Op::Unmap, false),
    (Op::Unmapped, false),
    (Op::SetOomSkip, false),
    (Op::FreePgtables, false),
    (Op::RemoveVmas, false),
    (Op::Unlock(Write), false),
    (Op::Finish, false),
];

impl World {
    /// Runs the innermost frame one step; returns its cost, scaled to the CPU.
    pub fn step_frame(&mut self, p: Pid, f: Frame) -> u64 {
        match f {
            Frame::User => self.step_user(p),
            Frame::External => params::PRIMITIVE_NS,
            Frame::ReleaseHeld => self.step_release_held(p),
            Frame::Exit(pc) => self.step_exit(p, pc),
            Frame::CoreDumpDone => self.step_core_dump_done(p),
            Frame::ExitMmap { mm, pc } => self.step_exit_mmap(p, mm, pc),
            Frame::Zap(z) => self.step_zap(p, z),
            Frame::OomReaper(r) => self.step_reaper(p, r),
        }
    }

    pub fn set_top(&mut self, p: Pid, f: Frame) {
        if let Some(top) = self.task_mut(p).and_then(|t| t.frames.last_mut()) {
            *top = f;
        }
    }

    /// Userspace: a pending fatal signal is noticed on the way back to it (get_signal);
    /// otherwise it computes for a slice.
    fn step_user(&mut self, p: Pid) -> u64 {
        let Some(t) = self.task(p) else { return 1 };
        if t.sigkill_pending && !t.is_kthread() {
            self.emit(p, Kind::SignalDeliver, SIGKILL as i64, 0, 0, 0);
            if let Some(t) = self.task_mut(p) {
                t.frames.push(Frame::Exit(ExitPc::Start));
            }
            return self.cost_on(p, params::PRIMITIVE_NS);
        }
        if let Some(t) = self.task_mut(p) {
            t.user_time_ns += params::USER_SLICE_NS;
            t.cpu_time_ns = t.cpu_time_ns.saturating_sub(params::USER_SLICE_NS);
        }
        params::USER_SLICE_NS
    }

    /// coredump_finish(): clear core_state, release the threads waiting in
    /// coredump_task_exit(), and exit with the group.
    fn step_core_dump_done(&mut self, p: Pid) -> u64 {
        let Some(tgid) = self.task(p).map(|t| t.tgid) else {
            return 1;
        };
        if let Some(pr) = self.process_mut(tgid) {
            pr.core_state = false;
            pr.signal_group_coredump = false;
        }
        for t in self.threads_of(tgid) {
            let waiting = self.task(t).is_some_and(|t| {
                matches!(
                    t.state,
                    TaskState::Sleeping {
                        waiting: WaitFor::CoreDump,
                        ..
                    }
                )
            });
            if waiting {
                self.wake(t, p);
            }
        }
        if let Some(t) = self.task_mut(p) {
            t.frames.pop();
            t.frames.push(Frame::Exit(ExitPc::Start));
        }
        self.cost_on(p, params::EXIT_STEP_NS)
    }

    /// A D-state sleeper that held mmap_locks finishes what it was doing and unlocks.
    fn step_release_held(&mut self, p: Pid) -> u64 {
        let held = self.task(p).map(|t| t.held.clone()).unwrap_or_default();
        for (mm, mode) in held {
            self.mmap_unlock(p, mm, mode);
        }
        if let Some(t) = self.task_mut(p) {
            t.frames.pop();
        }
        self.cost_on(p, params::PRIMITIVE_NS)
    }

    fn step_exit(&mut self, p: Pid, pc: ExitPc) -> u64 {
        let mm = self.task(p).and_then(|t| t.mm);
        match pc {
            ExitPc::Start => {
                if self.ptrace_exit_stop(p) {
                    return self.cost_on(p, params::PRIMITIVE_NS);
                }
                if let Some(t) = self.task_mut(p) {
                    t.flags |= PF_EXITING;
                }
                self.emit_task_state(p);
                let next = if mm.is_some() {
                    ExitPc::MmRelease
                } else {
                    ExitPc::Notify
                };
                self.set_top(p, Frame::Exit(next));
                self.cost_on(p, params::EXIT_STEP_NS)
            }
            ExitPc::MmRelease => {
                self.exit_mm_release(p, mm);
                self.set_top(p, Frame::Exit(ExitPc::MmLock));
                self.cost_on(p, params::PRIMITIVE_NS)
            }
            ExitPc::MmLock => {
                self.set_top(p, Frame::Exit(ExitPc::MmDetach));
                if let Some(mm) = mm {
                    self.mmap_lock(p, mm, Read, LockHow::Block);
                }
                self.cost_on(p, params::PRIMITIVE_NS)
            }
            ExitPc::MmDetach => {
                self.set_top(p, Frame::Exit(ExitPc::Notify));
                if let Some(mm) = mm {
                    // The exit_mm_retention variant: `tsk->exit_mm = mm; mmgrab(mm)` beside
                    // `current->mm = NULL`, under the same task_lock (variant.rs).
                    let retain = self.retains_exit_mm();
                    if retain {
                        self.mmgrab(p, mm);
                    }
                    if let Some(t) = self.task_mut(p) {
                        t.mm = None;
                        if retain {
                            t.exit_mm = Some(mm);
                        }
                        let tgid = t.tgid;
                        self.proc_mm_thread_dropped_mm(tgid);
                    }
                    self.mmap_unlock(p, mm, Read);
                    if self.mmput_begin(p, mm) {
                        if let Some(t) = self.task_mut(p) {
                            t.frames.push(Frame::ExitMmap { mm, pc: 0 });
                        }
                    }
                }
                self.cost_on(p, params::PRIMITIVE_NS)
            }
            ExitPc::Notify => {
                self.exit_notify(p);
                self.cost_on(p, params::EXIT_STEP_NS)
            }
        }
    }

    /// do_exit()'s `ptrace_event(PTRACE_EVENT_EXIT, code)`, before exit_signals() sets
    /// PF_EXITING and before exit_mm() (kernel/exit.c): a tracee whose tracer asked for
    /// PTRACE_O_TRACEEXIT stops in ptrace_stop() (TASK_TRACED) with its mm attached, once,
    /// until the tracer resumes it (the lab's never does) or a SIGKILL's signal_wake_up(t,
    /// fatal) wakes it (`signal.rs`). A SIGKILL that made it exit does not prevent the stop
    /// in any version: get_signal()'s group-exit path takes SIGKILL out of the task's own
    /// pending set (`sigdelset(&current->pending.signal, SIGKILL)`), and ptrace_stop()
    /// refuses to stop only for `__fatal_signal_pending(current)`, that same set (v5.19+,
    /// Eric Biederman's "ptrace: Don't change __state" series; before it, schedule() in
    /// TASK_TRACED tested the same set through signal_pending_state()). Measured on this
    /// host (6.18): a SIGKILLed PTRACE_SEIZE(PTRACE_O_TRACEEXIT) child reports
    /// PTRACE_EVENT_EXIT with its 64 MiB still resident (docs/host.md).
    fn ptrace_exit_stop(&mut self, p: Pid) -> bool {
        let Some(t) = self.task_mut(p).filter(|t| t.ptrace_exit) else {
            return false;
        };
        t.ptrace_exit = false;
        self.sleep(p, SleepKind::Killable, WaitFor::PtraceExit, None);
        self.emit_task_state(p);
        true
    }

    /// exit_mm_release(): exit_robust_list() reads the robust-futex list from user memory,
    /// and complete_vfork_done() releases a vfork parent.
    fn exit_mm_release(&mut self, p: Pid, mm: Option<MmId>) {
        if let Some(m) = mm.and_then(|mm| self.mm(mm)) {
            let unreadable = m
                .vmas
                .iter()
                .any(|v| v.flags & VMA_ROBUST_LIST != 0 && v.zapped.anon > 0);
            if unreadable {
                self.warn(p, Warn::RobustListUnreadable, p.0 as i64, 0);
            }
        }
        let Some(t) = self.task(p) else { return };
        let tgid = t.tgid;
        let is_vfork_child = t.is_leader() && self.process(tgid).is_some_and(|pr| pr.vfork_child);
        if is_vfork_child {
            self.release_vfork_parent(p, tgid);
        }
    }

    fn release_vfork_parent(&mut self, ctx: Pid, child: Tgid) {
        let Some(parent) = self.process(child).and_then(|p| p.parent) else {
            return;
        };
        for pid in self.threads_of(parent) {
            let waiting = self.task(pid).is_some_and(|t| {
                matches!(
                    t.state,
                    TaskState::Sleeping {
                        waiting: WaitFor::VforkDone,
                        ..
                    }
                )
            });
            if waiting {
                self.wake(pid, ctx);
            }
        }
        if let Some(pr) = self.process_mut(child) {
            pr.vfork_child = false;
        }
    }

    /// sched_process_exit, then exit_notify(): a non-leader thread is released at once; a
    /// leader stays a zombie until its group is empty and its parent waits.
    fn exit_notify(&mut self, p: Pid) {
        let Some(t) = self.task(p) else { return };
        let (tgid, prio, leader) = (t.tgid, t.policy.prio(), t.is_leader());
        let was_alive = t.state.is_alive();
        let live = self.process(tgid).map_or(0, |pr| pr.live_threads);
        let others_alive = live > u32::from(was_alive);
        self.emit(
            p,
            Kind::SchedProcessExit,
            p.0 as i64,
            prio as i64,
            (!others_alive) as i64,
            0,
        );
        if let Some(t) = self.task_mut(p) {
            t.frames.clear();
            t.state = TaskState::Zombie;
        }
        if let Some(pr) = self.process_mut(tgid).filter(|_| was_alive) {
            pr.live_threads = pr.live_threads.saturating_sub(1);
        }
        self.deschedule(p);
        if !leader {
            self.release_task(p);
        }
        self.emit_task_state(p);
        if !others_alive {
            self.group_dead(tgid);
        }
    }

    /// The whole group has exited: the parent, if it waits, reaps the zombie leader.
    fn group_dead(&mut self, tgid: Tgid) {
        self.wake_parent_waiters(Pid(tgid.0), tgid);
        let waits = self.process(tgid).is_some_and(|p| p.parent_waits);
        let leader = Pid(tgid.0);
        if waits
            && self
                .task(leader)
                .is_some_and(|t| t.state == TaskState::Zombie)
        {
            self.release_task(leader);
            self.emit_task_state(leader);
        }
    }

    /// release_task(): the pid is unhashed; get_pid_task() fails from now on.
    pub fn release_task(&mut self, p: Pid) {
        if let Some(t) = self.task_mut(p).filter(|t| t.state != TaskState::Dead) {
            t.state = TaskState::Dead;
            let tgid = t.tgid;
            self.proc_mm_thread_released(tgid);
        }
        self.emit(p, Kind::SchedProcessFree, p.0 as i64, 0, 0, 0);
        self.free_task_if_unused(p);
    }

    /// free_task(), once a released task's last get_task_struct() reference is gone (its
    /// own, `usage` 1, goes with release_task's delayed_put_task_struct): the
    /// exit_mm_retention variant drops `exit_mm` there (mmdrop_async in the patch; at once
    /// here, which frees no page either way: mm_count pins only the mm_struct and pgd).
    pub fn free_task_if_unused(&mut self, p: Pid) {
        let Some(t) = self.task_mut(p) else { return };
        if t.state != TaskState::Dead || t.usage > 1 {
            return;
        }
        if let Some(mm) = t.exit_mm.take() {
            self.mmdrop(p, mm);
        }
    }

    pub fn emit_task_state(&mut self, p: Pid) {
        let Some(t) = self.task(p) else { return };
        let (code, flags) = (t.state.code(), t.flags);
        self.emit(p, Kind::TaskState, p.0 as i64, code as i64, flags as i64, 0);
    }

    fn exit_mmap_ops(&self) -> &'static [(Op, bool)] {
        if self.exit_mmap_write_locked() {
            return WRITE_LOCKED_2026;
        }
        match self.version.exit_mmap_shape() {
            ExitMmapShape::Unlocked => UNLOCKED,
            ExitMmapShape::WriteLocked => WRITE_LOCKED,
            ExitMmapShape::ReadThenWrite => READ_THEN_WRITE,
        }
    }

    /// mmu_notifier_release(mm), the first thing every exit_mmap does (mm/mmap.c):
    /// mn_hlist_release() unhooks the hlist subscribers (KVM), so from here on no walk
    /// meets their refusal; interval notifiers stay in their tree (mm/mmu_notifier.c).
    fn mmu_notifier_release(&mut self, mm: MmId) {
        let Some(m) = self.mm_mut(mm) else { return };
        for v in m.vmas.iter_mut().filter(|v| v.notifier_on_hlist) {
            v.notifier_refuses_nonblock = false;
            v.notifier_on_hlist = false;
        }
    }

    fn step_exit_mmap(&mut self, p: Pid, mm: MmId, pc: u8) -> u64 {
        let ops = self.exit_mmap_ops();
        let victim = self.version.has_mmf_oom_victim() && self.test_mm_flag(mm, MMF_OOM_VICTIM);
        let mut pc = pc as usize;
        while pc < ops.len() && ops[pc].1 && !victim {
            pc += 1;
        }
        let Some(&(op, _)) = ops.get(pc) else {
            self.bug(format!("exit_mmap of mm {} ran past its end", mm.0));
            return 1;
        };
        self.set_top(
            p,
            Frame::ExitMmap {
                mm,
                pc: (pc + 1) as u8,
            },
        );
        let nvmas = self.mm(mm).map(|m| m.vmas.len() as u64).unwrap_or(0);
        let base = match op {
            Op::Start => {
                self.emit(
                    p,
                    Kind::ExitMmap,
                    mm.0 as i64,
                    ExitMmapPhase::Start as i64,
                    0,
                    0,
                );
                self.mmu_notifier_release(mm);
                params::PRIMITIVE_NS
            }
            Op::Reap => {
                self.start_zap(p, Zap::new(mm, ZapMode::Reap, false));
                params::PRIMITIVE_NS
            }
            Op::SetOomSkip => {
                self.set_mm_flag(p, mm, MMF_OOM_SKIP, true);
                self.emit(
                    p,
                    Kind::ExitMmap,
                    mm.0 as i64,
                    ExitMmapPhase::OomSkipSet as i64,
                    0,
                    0,
                );
                params::PRIMITIVE_NS
            }
            Op::Lock(mode) => {
                self.mmap_lock(p, mm, mode, LockHow::Block);
                params::PRIMITIVE_NS
            }
            Op::Unlock(mode) => {
                self.mmap_unlock(p, mm, mode);
                params::PRIMITIVE_NS
            }
            Op::Unmap => {
                self.start_zap(p, Zap::new(mm, ZapMode::ExitUnmap, false));
                params::PRIMITIVE_NS
            }
            Op::Unmapped => {
                self.emit(
                    p,
                    Kind::ExitMmap,
                    mm.0 as i64,
                    ExitMmapPhase::Unmapped as i64,
                    0,
                    0,
                );
                params::PRIMITIVE_NS
            }
            Op::FreePgtables => {
                self.free_pgtables(p, mm);
                params::FREE_PGTABLES_NS_PER_VMA * nvmas.max(1)
            }
            Op::RemoveVmas => {
                self.remove_vmas(p, mm);
                params::PRIMITIVE_NS
            }
            Op::Finish => {
                if let Some(t) = self.task_mut(p) {
                    t.frames.pop();
                }
                self.mmdrop(p, mm);
                params::PRIMITIVE_NS
            }
        };
        self.cost_on(p, base)
    }

    /// free_pgtables(): a walker still inside the page tables without the lock is the
    /// §F.1 crash.
    fn free_pgtables(&mut self, p: Pid, mm: MmId) {
        let others: Vec<Pid> = self
            .mm(mm)
            .map(|m| m.walkers.iter().copied().filter(|w| *w != p).collect())
            .unwrap_or_default();
        for w in others {
            self.warn(p, Warn::PgtablesFreedUnderWalker, w.0 as i64, mm.0 as i64);
        }
        if let Some(m) = self.mm_mut(mm) {
            m.pgtables_freed = true;
        }
        self.emit(
            p,
            Kind::ExitMmap,
            mm.0 as i64,
            ExitMmapPhase::PgtablesFreed as i64,
            0,
            0,
        );
    }

    /// remove_vma() for each VMA, then mm->mmap = NULL: the set is empty, not dangling.
    fn remove_vmas(&mut self, p: Pid, mm: MmId) {
        let leftover = self
            .mm(mm)
            .is_some_and(|m| m.vmas.iter().any(|v| !v.is_empty(true)));
        if leftover {
            self.bug(format!(
                "exit_mmap removed VMAs of mm {} with pages still mapped",
                mm.0
            ));
        }
        // mm->mmap = NULL after the removal came with the v5.17-rc fix (§F.3,
        // `exit_mmap_clears_mmap`): earlier kernels left it pointing at the freed first VMA
        // too (what a v9 caller walks, §F.1).
        let dangling = self.kernel_bugs & crate::world::KERNEL_BUG_F3_DANGLING_MMAP != 0
            || !self.version.exit_mmap_clears_mmap();
        if let Some(m) = self.mm_mut(mm) {
            if dangling {
                m.dangling_vmas = m.vmas.len();
            }
            m.vmas.clear();
            m.state = MmState::TornDown;
        }
        self.emit(
            p,
            Kind::ExitMmap,
            mm.0 as i64,
            ExitMmapPhase::VmasRemoved as i64,
            0,
            0,
        );
    }
}
