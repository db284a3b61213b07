//! The boundary: one `Kernel` per simulated machine. Integers and handles in, integers out
//! (negative = -errno, as the kernel returns); bulk data as Float64Array. Every method
//! checks its arguments and never traps. Task handles are pids, mm handles are mm index + 1
//! (0 is NULL), pid handles are pid numbers. The constants, version features and layouts
//! TypeScript needs cross once, as the JSON of `kernel_facts()` (facts.rs).

use crate::errno::{EINVAL, SIM_BUG};
use crate::frame::ZapMode;
use crate::limits::{
    RunLimits, DEFAULT_MAX_EVENTS, DEFAULT_MAX_STEPS, MAX_MAX_EVENTS, MAX_MAX_STEPS,
};
use crate::version::KernelVersion;
use crate::vma::{notifier_from_code, Pages, Vma, VmaKind, NOTIFIERS, VMA_FLAGS_MASK};
use crate::world::World;
use crate::zap::zap_coverage;
use wasm_bindgen::prelude::*;

/// Bumped whenever an export, the world program, the event encoding or a snapshot layout
/// changes; the TypeScript side refuses a core with another version.
pub const ABI_VERSION: u32 = 17;

#[wasm_bindgen]
pub struct Kernel {
    pub(crate) w: World,
    seed: u64,
    pub(crate) last_error: String,
    pub(crate) snapshots: crate::snapshot::Snapshots,
}

#[wasm_bindgen]
impl Kernel {
    /// A machine with nothing in it; `seed_lo`/`seed_hi` seed the choice source.
    #[wasm_bindgen(constructor)]
    pub fn new(seed_lo: u32, seed_hi: u32) -> Kernel {
        let seed = ((seed_hi as u64) << 32) | seed_lo as u64;
        Kernel {
            w: World::new(seed),
            seed,
            last_error: String::new(),
            snapshots: Default::default(),
        }
    }

    pub fn abi_version() -> u32 {
        ABI_VERSION
    }

    /// The kernel's facts as JSON: constants, versions with their named features, and the
    /// layouts of events, snapshots and the world program (`facts.rs`). TypeScript reads
    /// every one of them from here at load.
    pub fn kernel_facts() -> String {
        crate::facts::kernel_facts()
    }

    /// What a walk in `mode` (an index of the facts' `zap_modes`) does on kernel `version`
    /// (a version code) with a VMA of `kind`, `flags` and `notifier` (the VMA record's
    /// codes): the index of the facts' `zap_coverages` (0 skipped, 1 refused, 2 zapped), the
    /// rule the walks themselves follow; -EINVAL for a code the core does not know.
    pub fn zap_coverage(version: i32, kind: i32, flags: u32, notifier: i32, mode: i32) -> i32 {
        let vma = (|| {
            let kind = VmaKind::from_code(kind)?;
            let notifier = usize::try_from(notifier)
                .ok()
                .filter(|&n| n < NOTIFIERS.len())?;
            let (notifier_refuses_nonblock, notifier_on_hlist) = notifier_from_code(notifier);
            (flags & !VMA_FLAGS_MASK == 0).then_some(Vma {
                start_page: 0,
                size_pages: 0,
                kind,
                flags,
                notifier_refuses_nonblock,
                notifier_on_hlist,
                mapped: Pages::default(),
                zapped: Pages::default(),
                thp_split_pmds: 0,
                thp_pte_pages: 0,
            })
        })();
        let mode = usize::try_from(mode)
            .ok()
            .and_then(|m| ZapMode::ALL.get(m).copied());
        match (KernelVersion::from_code(version), vma, mode) {
            (Some(v), Some(vma), Some(mode)) => zap_coverage(v, &vma, mode) as i32,
            _ => -EINVAL,
        }
    }

    /// Replaces the PRNG by an explicit choice list (taken modulo, then 0 when exhausted).
    pub fn set_choices(&mut self, list: &[u32]) {
        self.w.choices.set_list(list.to_vec());
    }

    pub fn choices_taken(&self) -> f64 {
        self.w.choices.taken() as f64
    }

    /// Builds the world from a program (docs/scenario-format.md). 0, or -EINVAL with
    /// `last_error` naming the record's word index and the problem.
    pub fn load_world(&mut self, program: &[i32]) -> i32 {
        match self.w.load(program) {
            Ok(()) => 0,
            Err(e) => {
                self.last_error = format!("world program word {}: {}", e.word, e.message);
                // A half-built world must not be used; the seed stays, so a retry replays.
                self.w = World::new(self.seed);
                -EINVAL
            }
        }
    }

    pub fn last_error(&self) -> String {
        match (&self.w.failed, self.w.limit_reached) {
            (Some(m), _) => format!("simulator invariant broken (a lab bug): {m}"),
            (None, Some(l)) => format!(
                "run limit reached: more than {} {}",
                match l {
                    crate::limits::Limit::Events => self.w.limits.max_events,
                    crate::limits::Limit::Steps => self.w.limits.max_steps,
                },
                l.name()
            ),
            (None, None) => self.last_error.clone(),
        }
    }

    pub fn kernel_version(&self) -> i32 {
        self.w.version.code()
    }

    pub fn now_ns(&self) -> f64 {
        self.w.now_ns as f64
    }

    pub fn horizon_ns(&self) -> f64 {
        self.w.horizon_ns as f64
    }

    pub fn caller(&self) -> u32 {
        self.w.caller.map(|p| p.0).unwrap_or(0)
    }

    pub fn oom_reaper_pid(&self) -> u32 {
        self.w.oom_reaper.map(|p| p.0).unwrap_or(0)
    }

    /// Runs until `until_ns`: returns an external task's pid when its TypeScript segment
    /// must run, 0 at `until_ns` or when nothing is left to happen, `RUN_LIMIT` (-10001)
    /// when the run reached a limit (`run_limit` names it), or -errno.
    pub fn run(&mut self, until_ns: f64) -> i32 {
        self.run_steps(until_ns, f64::INFINITY)
    }

    /// `run`, pausing after `max_steps` steps with -EAGAIN: calling it again goes on
    /// exactly as if it had not paused. The runner reads the wall clock between slices.
    pub fn run_steps(&mut self, until_ns: f64, max_steps: f64) -> i32 {
        if !until_ns.is_finite() || until_ns < 0.0 || max_steps.is_nan() || max_steps < 1.0 {
            return -EINVAL;
        }
        // Nothing is simulated past the horizon. (A float converts saturating: infinite
        // steps are u64::MAX.)
        let until = until_ns.min(self.w.horizon_ns as f64) as u64;
        let r = self.w.run(until, max_steps as u64);
        if r == 0 {
            self.w.check_invariants();
            if self.w.failed.is_some() {
                return SIM_BUG;
            }
        }
        r
    }

    /// Sets the run's limits (`limits.rs`): the most events its log holds and the most
    /// steps it simulates, whole numbers from 1 to `run_limit_bounds`' maxima; 0, or
    /// -EINVAL (and the limits stay). Set them after `load_world`: a refused program
    /// leaves a fresh machine, with the default limits.
    pub fn set_run_limits(&mut self, max_events: f64, max_steps: f64) -> i32 {
        let Some(l) = RunLimits::checked(max_events, max_steps) else {
            return -EINVAL;
        };
        self.w.limits = l;
        self.w.log.set_max_events(l.max_events as usize);
        0
    }

    /// The run's limits: [max events, max steps].
    pub fn run_limits(&self) -> Vec<f64> {
        let l = self.w.limits;
        vec![l.max_events as f64, l.max_steps as f64]
    }

    /// The limits' defaults and maxima: [events default, events max, steps default, steps
    /// max] (`limits.rs`).
    pub fn run_limit_bounds() -> Vec<f64> {
        [
            DEFAULT_MAX_EVENTS,
            MAX_MAX_EVENTS,
            DEFAULT_MAX_STEPS,
            MAX_MAX_STEPS,
        ]
        .map(|v| v as f64)
        .to_vec()
    }

    /// The limit the run reached ("events" or "steps"), or "" while it reached none.
    pub fn run_limit(&self) -> String {
        self.w
            .limit_reached
            .map_or(String::new(), |l| l.name().to_string())
    }

    /// Steps simulated so far (one CPU acting once).
    pub fn steps_taken(&self) -> f64 {
        self.w.steps_total as f64
    }

    /// Run-queue slots and tree nodes the scheduler and its per-step checks examined so
    /// far: what grows with the number of runnable tasks (the scaling tests read it).
    pub fn sched_work(&self) -> f64 {
        let queues: u64 = self.w.cpus.iter().map(|c| c.rq.work()).sum();
        (queues + self.w.rq_check_work) as f64
    }

    pub fn check_invariants(&mut self) -> i32 {
        self.w.check_invariants();
        if self.w.failed.is_some() {
            SIM_BUG
        } else {
            0
        }
    }

    /// The records the log stands for, each folded run of rss_stat records written out
    /// (fold.rs): what `decodeEvents` gives.
    pub fn event_count(&self) -> u32 {
        self.w.log.records() as u32
    }

    /// Events from index `first` on, 8 numbers each (`first` counts the log's own entries,
    /// a folded run's shorthand one of them).
    pub fn events(&self, first: u32) -> Vec<f64> {
        self.w.log.slice_from(first as usize).to_vec()
    }

    /// Every event not taken yet, handed over without a copy in the core (the count and the
    /// hash still cover them): for a caller that reads the log once at the end of a run.
    pub fn take_events(&mut self) -> Vec<f64> {
        self.w.log.take()
    }

    /// FNV-1a 64 of the whole event log, as 16 hex digits.
    pub fn events_hash(&self) -> String {
        format!("{:016x}", self.w.log.hash())
    }

    pub fn set_event_recording(&mut self, on: bool) {
        self.w.log.set_recording(on);
    }

    /// Folds a zap's equal batches that nothing can interleave with into one step (on by
    /// default; fold.rs). Off, every batch is its own step: the same run, as the tests
    /// check, at a cost that grows with the mm's size.
    pub fn set_folding(&mut self, on: bool) {
        self.w.folding = on;
    }

    /// References taken through the primitives and not put back: [task refs, mm refs].
    pub fn leaked_refs(&self) -> Vec<f64> {
        let tasks: u64 = self.w.tasks.iter().map(|t| t.ext_refs as u64).sum();
        let mms: u64 = self
            .w
            .mms
            .iter()
            .map(|m| (m.ext_users + m.ext_grabs) as u64)
            .sum();
        vec![tasks as f64, mms as f64]
    }

    pub fn task_count(&self) -> u32 {
        self.w.tasks.len() as u32
    }

    /// Every pid, in creation order.
    pub fn pids(&self) -> Vec<u32> {
        self.w.tasks.iter().map(|t| t.pid.0).collect()
    }

    /// A task's snapshot, laid out as the facts' `task_info` names; empty for an unknown pid.
    pub fn task_info(&self, pid: u32) -> Vec<f64> {
        self.w.k_task_info(pid)
    }

    /// An mm's snapshot, laid out as the facts' `mm_info` names; empty for a bad handle.
    pub fn mm_info(&self, mm: u32) -> Vec<f64> {
        self.w.k_mm_info(mm)
    }

    /// Switches historical kernel bugs back on (`KERNEL_BUG_*` bits: 1 = §F.3 dangling
    /// mm->mmap); 0, or -EINVAL for unknown bits.
    pub fn set_kernel_bugs(&mut self, mask: u32) -> i32 {
        if mask & !crate::world::KERNEL_BUGS_MASK != 0 {
            return -EINVAL;
        }
        self.w.kernel_bugs = mask;
        0
    }

    /// Switches proposed kernel changes on (`KERNEL_VARIANT_*` bits, variant.rs: 1 =
    /// exit_mm retention, 2 = exit_mmap under the write lock), before `load_world`, which
    /// refuses one on a kernel it does not apply to (`variant::applies`); 0, or -EINVAL for
    /// unknown bits.
    pub fn set_kernel_variants(&mut self, mask: u32) -> i32 {
        if mask & !crate::variant::KERNEL_VARIANTS_MASK != 0 {
            return -EINVAL;
        }
        self.w.kernel_variants = mask;
        0
    }

    /// Private anon pages of mm handle `mm` that a reap would free now (0 for a bad handle).
    pub fn reapable_pages(&self, mm: u32) -> f64 {
        mm.checked_sub(1)
            .map_or(0.0, |i| self.w.reapable_pages(crate::ids::MmId(i)) as f64)
    }

    /// CPU time charged to a task (the kernel's and its recipe's), 0 for an unknown pid.
    pub fn cpu_time_ns(&self, pid: u32) -> f64 {
        self.w
            .task(crate::ids::Pid(pid))
            .map(|t| t.cpu_time_ns as f64)
            .unwrap_or(0.0)
    }

    pub fn mm_count_total(&self) -> u32 {
        self.w.mms.len() as u32
    }

    // ---- the runner protocol ----

    pub fn ext_start(&mut self, pid: u32) -> i32 {
        self.w.ext_start(pid)
    }
    pub fn ext_yield(&mut self, pid: u32) -> i32 {
        self.w.ext_yield(pid)
    }
    pub fn ext_end(&mut self, pid: u32) -> i32 {
        self.w.ext_end(pid)
    }
    pub fn take_result(&self, pid: u32) -> f64 {
        self.w.take_result(pid)
    }
    pub fn syscall_enter(&mut self, cur: u32, nr: i32, a0: i32, a1: i32) -> i32 {
        self.w.syscall_enter(cur, nr, a0, a1)
    }
    pub fn syscall_exit(&mut self, cur: u32, nr: i32, ret: i32) -> i32 {
        self.w.syscall_exit(cur, nr, ret)
    }

    // ---- syscalls the core implements ----

    pub fn pidfd_open(&mut self, cur: u32, pid: i32, flags: i32) -> i32 {
        self.w.sys_pidfd_open(cur, pid, flags)
    }
    pub fn close(&mut self, cur: u32, fd: i32) -> i32 {
        self.w.sys_close(cur, fd)
    }
    pub fn pidfd_send_signal(&mut self, cur: u32, fd: i32, sig: i32, flags: i32) -> i32 {
        self.w.sys_pidfd_send_signal(cur, fd, sig, flags)
    }
    pub fn kill(&mut self, cur: u32, pid: i32, sig: i32) -> i32 {
        self.w.sys_kill(cur, pid, sig)
    }
    pub fn waitid_pidfd(&mut self, cur: u32, fd: i32, options: i32) -> i32 {
        self.w.sys_waitid_pidfd(cur, fd, options)
    }
    /// The siginfo `pid`'s last waitid filled in: which 0 is si_pid (0: nothing reaped), 1
    /// si_code, 2 si_status.
    pub fn waitid_siginfo(&self, pid: u32, which: i32) -> i32 {
        self.w.waitid_siginfo(pid, which)
    }
    /// What do_madvise() meets over pages [start, end) of `mm`: which 0, the page where a VMA
    /// can_madv_lru_vma() refuses ends the walk (`end` if none); which 1, whether some page
    /// lies in no VMA (1/0).
    pub fn madvise_span(&self, mm: u32, start_page: f64, end_page: f64, which: i32) -> f64 {
        self.w.k_madvise_span(mm, start_page, end_page, which)
    }
    /// GUP over pages [start, end) of `mm` from `cur`'s context (process_vm_readv,
    /// /proc/<pid>/mem): the pages a remote reader copies before a fault fails.
    pub fn access_remote(&mut self, cur: u32, mm: u32, start_page: f64, end_page: f64) -> f64 {
        self.w.k_access_remote(cur, mm, start_page, end_page)
    }
    pub fn pidfd_poll(&mut self, cur: u32, fd: i32) -> i32 {
        self.w.sys_pidfd_poll(cur, fd)
    }
    pub fn oom_kill_process(&mut self, cur: u32, tgid: i32) -> i32 {
        self.w.k_oom_kill_process(cur, tgid)
    }

    // ---- kernel primitives ----

    pub fn pidfd_get_pid(&mut self, cur: u32, fd: i32) -> i32 {
        self.w.k_pidfd_get_pid(cur, fd)
    }
    pub fn pidfd_to_pid(&mut self, cur: u32, fd: i32) -> i32 {
        self.w.k_pidfd_to_pid(cur, fd)
    }
    pub fn pidfd_nonblock(&mut self, cur: u32, fd: i32) -> i32 {
        self.w.k_pidfd_nonblock(cur, fd)
    }
    pub fn get_pid_task(&mut self, cur: u32, pid: i32, pidtype: i32) -> i32 {
        self.w.k_get_pid_task(cur, pid, pidtype)
    }
    pub fn put_task_struct(&mut self, cur: u32, task: u32) -> i32 {
        self.w.k_put_task_struct(cur, task)
    }
    pub fn task_lock(&mut self, cur: u32, task: u32) -> i32 {
        self.w.k_task_lock(cur, task, true)
    }
    pub fn task_unlock(&mut self, cur: u32, task: u32) -> i32 {
        self.w.k_task_lock(cur, task, false)
    }
    pub fn find_lock_task_mm(&mut self, cur: u32, task: u32) -> i32 {
        self.w.k_find_lock_task_mm(cur, task)
    }
    pub fn task_mm(&self, task: u32) -> i32 {
        self.w.k_task_mm(task)
    }
    /// task->exit_mm (the exit_mm_retention variant's; 0 = NULL, always without it).
    pub fn task_exit_mm(&self, task: u32) -> i32 {
        self.w.k_task_exit_mm(task)
    }
    pub fn task_tgid(&self, task: u32) -> i32 {
        self.w.k_task_tgid(task)
    }
    pub fn task_flags(&self, task: u32) -> i32 {
        self.w.k_task_flags(task)
    }
    /// op: 0 mmgrab, 1 mmdrop, 2 mmget, 3 mmget_not_zero, 4 mmput (may answer BLOCKED).
    pub fn mm_ref(&mut self, cur: u32, mm: u32, op: i32) -> i32 {
        self.w.k_mm_ref(cur, mm, op)
    }
    pub fn task_will_free_mem(&mut self, cur: u32, task: u32) -> i32 {
        self.w.k_task_will_free_mem(cur, task, true)
    }
    pub fn __task_will_free_mem(&mut self, cur: u32, task: u32) -> i32 {
        self.w.k_task_will_free_mem(cur, task, false)
    }
    pub fn process_shares_mm(&self, tgid: u32, mm: u32) -> i32 {
        self.w.k_process_shares_mm(tgid, mm)
    }
    /// The next process after tgid `after` (0 to start) sharing `mm`, or 0.
    pub fn next_process_sharing_mm(&mut self, cur: u32, mm: u32, after: u32) -> i32 {
        self.w.k_next_process_sharing_mm(cur, mm, after)
    }
    pub fn is_global_init(&self, tgid: u32) -> i32 {
        self.w.k_is_global_init(tgid)
    }
    pub fn signal_group_exit(&self, task: u32) -> i32 {
        self.w.k_signal_group_exit(task)
    }
    pub fn fatal_signal_pending(&self, task: u32) -> i32 {
        self.w.k_fatal_signal_pending(task)
    }
    /// op: 0 test_bit, 1 set_bit, 2 clear_bit; bit: one MMF_ mask bit.
    pub fn mm_flag(&mut self, cur: u32, mm: u32, bit: u32, op: i32) -> i32 {
        self.w.k_mm_flag(cur, mm, bit, op)
    }
    /// mode: 0 read, 1 write; how: 0 blocking, 1 killable, 2 trylock (read only).
    pub fn mmap_lock(&mut self, cur: u32, mm: u32, mode: i32, how: i32) -> i32 {
        self.w.k_mmap_lock(cur, mm, mode, how)
    }
    pub fn mmap_unlock(&mut self, cur: u32, mm: u32, mode: i32) -> i32 {
        self.w.k_mmap_unlock(cur, mm, mode)
    }
    pub fn oom_reap_task_mm(&mut self, cur: u32, mm: u32) -> i32 {
        self.w.k_oom_reap_task_mm(cur, mm)
    }
    pub fn zap_range(&mut self, cur: u32, mm: u32, start_page: f64, end_page: f64) -> i32 {
        self.w.k_zap_range(cur, mm, start_page, end_page)
    }
    pub fn kill_pid_info(&mut self, cur: u32, sig: i32, pid: i32) -> i32 {
        self.w.k_kill_pid_info(cur, sig, pid)
    }
    /// access_pidfd_pidns(): 1 when `pid`'s namespace chain reaches `cur`'s active pid
    /// namespace (pidns.rs), else 0.
    pub fn access_pidfd_pidns(&self, cur: u32, pid: u32) -> i32 {
        self.w.k_access_pidfd_pidns(cur, pid)
    }
    /// The cgroup of process `tgid`: its handle (a cgroup's index + 1; 0 the root), -ESRCH.
    pub fn task_cgroup(&self, tgid: u32) -> i32 {
        self.w.k_task_cgroup(tgid)
    }
    /// Writes "1" to cgroup.kill of `cgrp` (cgroup.rs): 0, or -ENOENT (the root, no cgroup).
    pub fn cgroup_kill(&mut self, cur: u32, cgrp: u32) -> i32 {
        self.w.k_cgroup_kill(cur, cgrp)
    }
    /// cgroup.procs of `cgrp` (of its subtree with `recursive`): the tgid after `after` (0 to
    /// start), 0 at the end, -ENOENT, -ESRCH.
    pub fn cgroup_proc_next(&mut self, cur: u32, cgrp: u32, after: u32, recursive: bool) -> i32 {
        self.w.k_cgroup_proc_next(cur, cgrp, after, recursive)
    }
    pub fn mark_oom_victim(&mut self, cur: u32, task: u32) -> i32 {
        self.w.k_mark_oom_victim(cur, task)
    }
    pub fn queue_oom_reaper(&mut self, cur: u32, task: u32, delay_us: i32) -> i32 {
        self.w.k_queue_oom_reaper(cur, task, delay_us)
    }
    pub fn capable(&self, cur: u32, cap: u32) -> i32 {
        self.w.k_capable(cur, cap)
    }
    /// check_kill_permission(sender, tgid) with no signal sent: 1, 0, or -ESRCH.
    pub fn check_kill_permission(&self, sender: u32, tgid: u32) -> i32 {
        self.w.k_check_kill_permission(sender, tgid)
    }
    /// ptrace_may_access's rule with any task as the tracer (no running caller needed).
    pub fn check_ptrace_permission(&self, tracer: u32, task: u32, mode: i32) -> i32 {
        self.w.k_check_ptrace_permission(tracer, task, mode)
    }
    pub fn ptrace_may_access(&self, cur: u32, task: u32, mode: i32) -> i32 {
        self.w.k_ptrace_may_access(cur, task, mode)
    }
}

impl Kernel {
    /// The world, for native drivers and tests.
    pub fn world(&self) -> &World {
        &self.w
    }
}
