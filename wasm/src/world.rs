//! The simulated machine: every piece of kernel state, owned here and nowhere else.

use crate::cgroup::Cgroup;
use crate::choice::Choices;
use crate::events::{EventLog, Kind, Warn};
use crate::ids::{CpuId, MmId, Pid, Tgid};
use crate::limits::{Limit, RunLimits};
use crate::mm::Mm;
use crate::params;
use crate::process::Process;
use crate::rq::RunQueue;
use crate::task::Task;
use crate::version::KernelVersion;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// §F.3 (v5.17-rc): exit_mmap frees the VMAs but leaves mm->mmap pointing at the first,
/// so a reaper that takes the lock afterwards reads a freed VMA (fixed by "mm: fix
/// use-after-free bug when mm->mmap is reused after being freed").
pub const KERNEL_BUG_F3_DANGLING_MMAP: u32 = 1;
pub const KERNEL_BUGS_MASK: u32 = KERNEL_BUG_F3_DANGLING_MMAP;
/// The bits by name, as `kernel_facts()` states them.
pub const KERNEL_BUGS: [(&str, u32); 1] = [("F3_DANGLING_MMAP", KERNEL_BUG_F3_DANGLING_MMAP)];

#[derive(Clone, PartialEq)]
pub struct Cpu {
    pub capacity: u32,
    pub freq_mhz: u32,
    pub max_freq_mhz: u32,
    pub speed_ppm: u64,
    pub current: Option<Pid>,
    /// The current task's step occupies the CPU until then.
    pub busy_until_ns: u64,
    /// Runnable tasks waiting for this CPU, in the order they were queued (`rq.rs`).
    pub rq: RunQueue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A timed sleep ends (the generation guards against a stale timer).
    Wake { pid: Pid, gen: u32 },
    /// The scenario's timed event number `index`.
    Scenario { index: usize },
    /// OOM_REAPER_DELAY elapsed: wake_oom_reaper(victim).
    WakeOomReaper { victim: Pid },
    /// A transient mm user (a /proc reader) drops its reference.
    ProcReaderDone { mm: MmId, reader: Pid },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScenarioEventKind {
    ProcReader {
        mm: MmId,
        duration_ns: u64,
        reader: Pid,
    },
    Exit {
        pid: Pid,
    },
    Kill {
        target: Tgid,
        sig: i32,
        from: Pid,
    },
    Wake {
        pid: Pid,
    },
    /// The page allocator ran out of memory in `from` and the OOM killer chose `victim`.
    OomKill {
        victim: Tgid,
        from: Pid,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScenarioEvent {
    pub at_ns: u64,
    pub kind: ScenarioEventKind,
}

#[derive(Clone)]
pub struct World {
    pub version: KernelVersion,
    pub cpus: Vec<Cpu>,
    pub mms: Vec<Mm>,
    pub tasks: Vec<Task>,
    /// pid → index in `tasks` (u32::MAX: none), as large as the largest pid.
    pub(crate) pid_index: Vec<u32>,
    /// In creation order, which is for_each_process() order.
    pub procs: Vec<Process>,
    /// tgid → index in `procs` (u32::MAX: none).
    pub(crate) tgid_index: Vec<u32>,
    pub now_ns: u64,
    pub(crate) timers: BinaryHeap<Reverse<(u64, u64, Timer)>>,
    pub(crate) timer_seq: u64,
    pub choices: Choices,
    pub log: EventLog,
    pub oom_reaper: Option<Pid>,
    /// oom_reaper_list: LIFO, as tsk->oom_reaper_list is pushed at the head.
    pub oom_reaper_list: Vec<Pid>,
    pub scenario_events: Vec<ScenarioEvent>,
    /// The cgroups under the root, in creation order (`cgroup.rs`).
    pub cgroups: Vec<Cgroup>,
    /// Per process (by index in `procs`), its cgroup's handle; 0 (or none): the root.
    pub proc_cgroup: Vec<u32>,
    /// The pid namespaces under init_pid_ns, each as its parent's handle (`pidns.rs`).
    pub pid_namespaces: Vec<u32>,
    /// Per process (by index in `procs`), its active pid namespace's handle; 0: init_pid_ns.
    pub proc_pidns: Vec<u32>,
    pub caller: Option<Pid>,
    pub horizon_ns: u64,
    /// Set when the simulator itself broke an invariant: every later call refuses.
    pub failed: Option<String>,
    /// Historical kernel bugs switched back on (`KERNEL_BUG_*`), for replaying them.
    pub kernel_bugs: u32,
    /// Proposed kernel changes switched on (`variant.rs`, `KERNEL_VARIANT_*`).
    pub kernel_variants: u32,
    /// An external task handed to TypeScript by `run`, whose segment is under way.
    pub ext_running: Option<Pid>,
    /// What the run may use (`limits.rs`), and the limit it reached: every later `run`
    /// refuses.
    pub limits: RunLimits,
    pub limit_reached: Option<Limit>,
    /// Steps simulated so far (one CPU acting once), against `limits.max_steps`.
    pub steps_total: u64,
    /// Run-queue entries the per-step checks examined (with the queues' own work, the
    /// scheduler's work that `Kernel::sched_work` reports).
    pub rq_check_work: u64,
    /// A zap's equal batches that nothing can interleave with are folded into one step
    /// (fold.rs); off only to compare with the batch-by-batch run.
    pub folding: bool,
    /// The `until_ns` of the `run` under way: no step is folded past it.
    pub run_until_ns: u64,
    /// Per process (the index of `procs`), what task_will_free_mem's walk reads (proc_mm.rs).
    pub(crate) proc_mm: Vec<crate::proc_mm::ProcMm>,
}

impl World {
    pub fn new(seed: u64) -> Self {
        World {
            version: KernelVersion::V6_18,
            cpus: Vec::new(),
            mms: Vec::new(),
            tasks: Vec::new(),
            pid_index: Vec::new(),
            procs: Vec::new(),
            tgid_index: Vec::new(),
            now_ns: 0,
            timers: BinaryHeap::new(),
            timer_seq: 0,
            choices: Choices::seeded(seed),
            log: EventLog::default(),
            oom_reaper: None,
            oom_reaper_list: Vec::new(),
            scenario_events: Vec::new(),
            cgroups: Vec::new(),
            proc_cgroup: Vec::new(),
            pid_namespaces: Vec::new(),
            proc_pidns: Vec::new(),
            caller: None,
            horizon_ns: 10_000_000_000,
            failed: None,
            kernel_bugs: 0,
            kernel_variants: 0,
            ext_running: None,
            limits: RunLimits::default(),
            limit_reached: None,
            steps_total: 0,
            rq_check_work: 0,
            folding: true,
            run_until_ns: 0,
            proc_mm: Vec::new(),
        }
    }

    // ---- lookups -------------------------------------------------------------------------

    pub fn task_index(&self, pid: Pid) -> Option<usize> {
        lookup(&self.pid_index, pid.0)
    }

    pub fn task(&self, pid: Pid) -> Option<&Task> {
        self.task_index(pid).map(|i| &self.tasks[i])
    }

    pub fn task_mut(&mut self, pid: Pid) -> Option<&mut Task> {
        let i = self.task_index(pid)?;
        self.tasks.get_mut(i)
    }

    pub fn proc_index(&self, tgid: Tgid) -> Option<usize> {
        lookup(&self.tgid_index, tgid.0)
    }

    pub fn process(&self, tgid: Tgid) -> Option<&Process> {
        self.proc_index(tgid).map(|i| &self.procs[i])
    }

    pub fn process_mut(&mut self, tgid: Tgid) -> Option<&mut Process> {
        let i = self.proc_index(tgid)?;
        self.procs.get_mut(i)
    }

    pub fn mm(&self, id: MmId) -> Option<&Mm> {
        self.mms.get(id.0 as usize)
    }

    pub fn mm_mut(&mut self, id: MmId) -> Option<&mut Mm> {
        self.mms.get_mut(id.0 as usize)
    }

    /// A task joins the world (its process, if already added, counts it: proc_mm.rs).
    pub fn add_task(&mut self, t: Task) {
        if let Some(pi) = self.proc_index(t.tgid) {
            self.proc_mm_thread_added(pi, &t);
        }
        insert(&mut self.pid_index, t.pid.0, self.tasks.len());
        self.tasks.push(t);
    }

    /// A process joins the world with the threads already added that it lists.
    pub fn add_process(&mut self, p: Process) {
        let pi = self.procs.len();
        insert(&mut self.tgid_index, p.tgid.0, pi);
        let threads = p.threads.clone();
        self.procs.push(p);
        self.proc_mm.push(Default::default());
        for pid in threads {
            if let Some(t) = self.task(pid).cloned() {
                self.proc_mm_thread_added(pi, &t);
            }
        }
    }

    /// The pids of a thread group, leader first.
    pub fn threads_of(&self, tgid: Tgid) -> Vec<Pid> {
        self.process(tgid)
            .map(|p| p.threads.clone())
            .unwrap_or_default()
    }

    /// A task that still exists (not released): what get_pid_task() can return.
    pub fn live_task(&self, pid: Pid) -> Option<&Task> {
        self.task(pid)
            .filter(|t| t.state != crate::task::TaskState::Dead)
    }

    // ---- time, cost and events ------------------------------------------------------------

    pub fn add_timer(&mut self, at_ns: u64, t: Timer) {
        self.timer_seq += 1;
        self.timers.push(Reverse((at_ns, self.timer_seq, t)));
    }

    pub fn next_timer_ns(&self) -> Option<u64> {
        self.timers.peek().map(|Reverse((at, _, _))| *at)
    }

    pub fn pop_due_timer(&mut self) -> Option<Timer> {
        match self.timers.peek() {
            Some(Reverse((at, _, _))) if *at <= self.now_ns => {
                self.timers.pop().map(|Reverse((_, _, t))| t)
            }
            _ => None,
        }
    }

    /// The speed of the CPU a task runs on.
    pub fn speed_of(&self, pid: Pid) -> u64 {
        self.task(pid)
            .and_then(|t| self.cpus.get(t.cpu.0 as usize))
            .map(|c| c.speed_ppm)
            .unwrap_or(1_000_000)
    }

    /// A reference cost as it takes on `pid`'s CPU.
    pub fn cost_on(&self, pid: Pid, base_ns: u64) -> u64 {
        params::scale(base_ns, self.speed_of(pid))
    }

    /// Charges a TypeScript segment's primitive to the task: it is paid when it yields.
    pub fn charge_ext(&mut self, pid: Pid, base_ns: u64) {
        let c = self.cost_on(pid, base_ns);
        if let Some(t) = self.task_mut(pid) {
            t.ext_pending_ns = t.ext_pending_ns.saturating_add(c);
        }
    }

    pub fn cpu_of(&self, pid: Pid) -> i64 {
        match self.task(pid) {
            Some(t) if t.state == crate::task::TaskState::Running => t.cpu.0 as i64,
            _ => -1,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn emit(&mut self, ctx: Pid, kind: Kind, a: i64, b: i64, c: i64, d: i64) {
        let cpu = self.cpu_of(ctx);
        self.log.push(self.now_ns, cpu, ctx.0, kind, a, b, c, d);
    }

    pub fn warn(&mut self, ctx: Pid, w: Warn, b: i64, c: i64) {
        self.emit(ctx, Kind::Warn, w as u8 as i64, b, c, 0);
    }

    /// Stops the run: the simulator broke its own invariant (a lab bug, not a design's).
    pub fn bug(&mut self, msg: String) {
        if self.failed.is_none() {
            self.failed = Some(msg);
        }
    }

    pub fn cpu_id_ok(&self, c: CpuId) -> bool {
        (c.0 as usize) < self.cpus.len()
    }
}

/// Dense id → index maps: ids are at most PID_MAX_LIMIT (checked at load), so the vector
/// stays bounded, and a lookup is one load instead of a tree walk.
fn lookup(index: &[u32], id: u32) -> Option<usize> {
    match index.get(id as usize) {
        Some(&i) if i != u32::MAX => Some(i as usize),
        _ => None,
    }
}

fn insert(index: &mut Vec<u32>, id: u32, at: usize) {
    let id = id as usize;
    if index.len() <= id {
        index.resize(id + 1, u32::MAX);
    }
    index[id] = at as u32;
}
