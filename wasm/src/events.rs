//! The event log: every state change, stamped with simulated time, CPU and task. Records
//! cross the boundary as a Float64Array of `EVENT_WORDS` numbers each (all integers, exact
//! below 2^53). Names of the kinds that are kernel tracepoints are the tracepoints' own.
//! The layout, the kinds and every code an event carries are stated here once and handed to
//! TypeScript by `Kernel::kernel_facts()`.

pub const EVENT_WORDS: usize = 8;

/// The words of one record, in the order `EventLog::push` writes them. What `a`..`d` hold
/// depends on the kind (`Kind::info`).
pub const EVENT_FIELDS: [&str; EVENT_WORDS] = ["ts_ns", "cpu", "pid", "kind", "a", "b", "c", "d"];

/// Kinds. Their names and the names of their arguments (`Kind::info`) reach TypeScript
/// through `Kernel::kernel_facts()`, which decodes the log by those names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// sched:sched_switch (prev_state: `TaskState::code`).
    SchedSwitch = 1,
    /// sched:sched_wakeup.
    SchedWakeup = 2,
    /// signal:signal_generate (group 1/0; result: `TRACE_SIGNAL_*` of signal.rs).
    SignalGenerate = 3,
    /// signal:signal_deliver.
    SignalDeliver = 4,
    /// oom:mark_victim.
    MarkVictim = 5,
    /// oom:wake_reaper.
    WakeReaper = 6,
    /// oom:start_task_reaping.
    StartTaskReaping = 7,
    /// oom:finish_task_reaping.
    FinishTaskReaping = 8,
    /// oom:skip_task_reaping.
    SkipTaskReaping = 9,
    /// sched:sched_process_exit.
    SchedProcessExit = 10,
    /// kmem:rss_stat (member: `MM_*` of zap.rs; size in bytes; curr: the mm is current's).
    RssStat = 11,
    /// A WARN/BUG the real kernel would print (`Warn`, whose `info` names b and c).
    Warn = 12,
    /// raw_syscalls:sys_enter (the lab records two arguments).
    SysEnter = 13,
    /// raw_syscalls:sys_exit.
    SysExit = 14,
    /// lab: a task changed state (`TaskState::code`, PF_ flags).
    TaskState = 15,
    /// lab: an MMF_ flag changed (bit: the MMF_ mask; set 1 / clear 0).
    MmFlag = 16,
    /// lab: mm refcounts changed.
    MmRef = 17,
    /// lab: mmap_lock (`LockOp`).
    MmapLock = 18,
    /// lab: exit_mmap reached a phase (`ExitMmapPhase`).
    ExitMmap = 19,
    /// sched:sched_process_free (release_task).
    SchedProcessFree = 20,
    /// lab: a timed scenario event fired (event: the world program's code, whose
    /// `load::SCENARIO_EVENTS` entry names b and c).
    ScenarioEvent = 21,
    /// lab: the simulation reached the end of the run (1 at the horizon, 0 quiescent).
    RunEnd = 22,
    /// lab: not an event but the log's shorthand for `earlier` kmem:rss_stat records that
    /// came before the rss_stat record right after it, one every `period_ns`, each `pages`
    /// pages above the next (a zap's equal batches that nothing could interleave with,
    /// folded by fold.rs). Decoding the log writes those records out in its place.
    RssStatRun = 23,
}

impl Kind {
    /// Every kind, in number order.
    pub const ALL: [Kind; 23] = [
        Kind::SchedSwitch,
        Kind::SchedWakeup,
        Kind::SignalGenerate,
        Kind::SignalDeliver,
        Kind::MarkVictim,
        Kind::WakeReaper,
        Kind::StartTaskReaping,
        Kind::FinishTaskReaping,
        Kind::SkipTaskReaping,
        Kind::SchedProcessExit,
        Kind::RssStat,
        Kind::Warn,
        Kind::SysEnter,
        Kind::SysExit,
        Kind::TaskState,
        Kind::MmFlag,
        Kind::MmRef,
        Kind::MmapLock,
        Kind::ExitMmap,
        Kind::SchedProcessFree,
        Kind::ScenarioEvent,
        Kind::RunEnd,
        Kind::RssStatRun,
    ];

    /// The kind's name (a kernel tracepoint keeps its own) and what its arguments `a`, `b`,
    /// `c`, `d` hold, in that order (unnamed trailing ones are 0).
    pub fn info(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Kind::SchedSwitch => ("sched_switch", &["next_pid", "prev_state", "prev_pid"]),
            Kind::SchedWakeup => ("sched_wakeup", &["pid", "target_cpu"]),
            Kind::SignalGenerate => ("signal_generate", &["sig", "pid", "group", "result"]),
            Kind::SignalDeliver => ("signal_deliver", &["sig"]),
            Kind::MarkVictim => ("mark_victim", &["pid"]),
            Kind::WakeReaper => ("wake_reaper", &["pid"]),
            Kind::StartTaskReaping => ("start_task_reaping", &["pid"]),
            Kind::FinishTaskReaping => ("finish_task_reaping", &["pid"]),
            Kind::SkipTaskReaping => ("skip_task_reaping", &["pid"]),
            Kind::SchedProcessExit => ("sched_process_exit", &["pid", "prio", "group_dead"]),
            Kind::RssStat => ("rss_stat", &["mm", "member", "size_bytes", "curr"]),
            Kind::Warn => ("warn", &["warn", "b", "c"]),
            Kind::SysEnter => ("sys_enter", &["nr", "arg0", "arg1"]),
            Kind::SysExit => ("sys_exit", &["nr", "ret"]),
            Kind::TaskState => ("task_state", &["pid", "state", "flags"]),
            Kind::MmFlag => ("mm_flag", &["mm", "bit", "set"]),
            Kind::MmRef => ("mm_ref", &["mm", "mm_users", "mm_count"]),
            Kind::MmapLock => ("mmap_lock", &["mm", "op"]),
            Kind::ExitMmap => ("exit_mmap", &["mm", "phase"]),
            Kind::SchedProcessFree => ("sched_process_free", &["pid"]),
            Kind::ScenarioEvent => ("scenario_event", &["event", "b", "c"]),
            Kind::RunEnd => ("run_end", &["at_horizon"]),
            Kind::RssStatRun => ("rss_stat_run", &["mm", "earlier", "period_ns", "pages"]),
        }
    }
}

/// What a WARN event means (the real kernel's message is given with each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Warn {
    /// Pages were zapped from an mm that a live, not dying, process still uses. (No kernel
    /// message: silent data loss — Jann Horn's objection, §C.2.)
    ZapLiveSharer = 1,
    /// exit_robust_list() could not read the robust-futex list because it was reaped first:
    /// waiters are never told OWNER_DIED (§F.6).
    RobustListUnreadable = 2,
    /// "BUG: KASAN: use-after-free": a VMA walked after exit_mmap freed it (§F.3).
    VmaUseAfterFree = 3,
    /// "BUG: unable to handle page fault … pte_offset_map_lock": page tables freed by
    /// exit_mmap while another task walked them without the lock (§F.1).
    PgtablesFreedUnderWalker = 4,
    /// "refcount_t: underflow; use-after-free" on mm_count (mm_users 0) or mm_users (1).
    MmRefUnderflow = 5,
    /// put_task_struct() on a task with no reference left.
    TaskRefUnderflow = 6,
    /// "BUG: scheduling while atomic": slept holding task_lock (task: whose lock).
    SleepWithTaskLock = 7,
    /// lockdep: __oom_reap_task_mm without mmap_lock held for read.
    ReapWithoutMmapLock = 8,
    /// "oom_reaper: unable to reap pid:%d" after MAX_OOM_REAP_RETRIES.
    UnableToReap = 9,
    /// An unlock of a lock the task does not hold.
    UnlockNotHeld = 10,
    /// "oom killer %d (%s) has mm pinned by %d (%s)": a global-init sharer.
    MmPinnedByInit = 11,
}

impl Warn {
    /// Every WARN, in code order.
    pub const ALL: [Warn; 11] = [
        Warn::ZapLiveSharer,
        Warn::RobustListUnreadable,
        Warn::VmaUseAfterFree,
        Warn::PgtablesFreedUnderWalker,
        Warn::MmRefUnderflow,
        Warn::TaskRefUnderflow,
        Warn::SleepWithTaskLock,
        Warn::ReapWithoutMmapLock,
        Warn::UnableToReap,
        Warn::UnlockNotHeld,
        Warn::MmPinnedByInit,
    ];

    /// The WARN's name and what the event's `b` and `c` hold for it.
    pub fn info(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Warn::ZapLiveSharer => ("zap_live_sharer", &["tgid", "mm"]),
            Warn::RobustListUnreadable => ("robust_list_unreadable", &["pid"]),
            Warn::VmaUseAfterFree => ("vma_use_after_free", &["mm"]),
            Warn::PgtablesFreedUnderWalker => ("pgtables_freed_under_walker", &["walker", "mm"]),
            Warn::MmRefUnderflow => ("mm_ref_underflow", &["mm_users", "mm"]),
            Warn::TaskRefUnderflow => ("task_ref_underflow", &["pid"]),
            Warn::SleepWithTaskLock => ("sleep_with_task_lock", &["task"]),
            Warn::ReapWithoutMmapLock => ("reap_without_mmap_lock", &["mm"]),
            Warn::UnableToReap => ("unable_to_reap", &["pid"]),
            Warn::UnlockNotHeld => ("unlock_not_held", &["mm"]),
            Warn::MmPinnedByInit => ("mm_pinned_by_init", &["tgid"]),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum LockOp {
    ReadAcquired = 0,
    ReadReleased = 1,
    WriteAcquired = 2,
    WriteReleased = 3,
    ReadWaiting = 4,
    WriteWaiting = 5,
    WaitInterrupted = 6,
    TrylockFailed = 7,
}

impl LockOp {
    /// Every operation, in code order.
    pub const ALL: [LockOp; 8] = [
        LockOp::ReadAcquired,
        LockOp::ReadReleased,
        LockOp::WriteAcquired,
        LockOp::WriteReleased,
        LockOp::ReadWaiting,
        LockOp::WriteWaiting,
        LockOp::WaitInterrupted,
        LockOp::TrylockFailed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LockOp::ReadAcquired => "read_acquired",
            LockOp::ReadReleased => "read_released",
            LockOp::WriteAcquired => "write_acquired",
            LockOp::WriteReleased => "write_released",
            LockOp::ReadWaiting => "read_waiting",
            LockOp::WriteWaiting => "write_waiting",
            LockOp::WaitInterrupted => "wait_interrupted",
            LockOp::TrylockFailed => "trylock_failed",
        }
    }
}

/// The phases exit_mmap() marks (`Kind::ExitMmap`'s `phase`), in the order they happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitMmapPhase {
    Start = 0,
    /// unmap_vmas() returned.
    Unmapped = 1,
    /// MMF_OOM_SKIP set (v4.17-v5.16: after the victim's own __oom_reap_task_mm).
    OomSkipSet = 2,
    PgtablesFreed = 3,
    /// The VMAs are removed: the mm is torn down.
    VmasRemoved = 4,
}

impl ExitMmapPhase {
    /// Every phase, in code order.
    pub const ALL: [ExitMmapPhase; 5] = [
        ExitMmapPhase::Start,
        ExitMmapPhase::Unmapped,
        ExitMmapPhase::OomSkipSet,
        ExitMmapPhase::PgtablesFreed,
        ExitMmapPhase::VmasRemoved,
    ];

    /// The phase's name, and the kernel work that ends at it (none for the start).
    pub fn info(self) -> (&'static str, &'static str) {
        match self {
            ExitMmapPhase::Start => ("start", ""),
            ExitMmapPhase::Unmapped => ("unmapped", "unmap_vmas"),
            ExitMmapPhase::OomSkipSet => ("oom_skip_set", "set_bit(MMF_OOM_SKIP)"),
            ExitMmapPhase::PgtablesFreed => ("pgtables_freed", "free_pgtables"),
            ExitMmapPhase::VmasRemoved => ("vmas_removed", "remove_vma"),
        }
    }
}

/// FNV-1a over the 64-bit patterns of every number (a word at a time, not a byte: the log is
/// hashed on every event), so a hash computed in WASM and natively agrees whenever the logs
/// agree.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Room for a typical scenario's events: a small run does not regrow the log.
const INITIAL_EVENTS: usize = 256;

#[derive(Clone)]
pub struct EventLog {
    pub(crate) data: Vec<f64>,
    pub(crate) hash: u64,
    /// Recording can be turned off for benchmarks of the model alone; the hash still runs.
    pub(crate) record: bool,
    /// Events handed over by `take`.
    pub(crate) taken: usize,
    /// The most events the log holds (`limits.rs`), a folded run's records written out:
    /// one more is refused and marks the log full, and the run ends at its next step.
    pub(crate) max_events: usize,
    /// An event was refused: the log reached `max_events`.
    pub(crate) full: bool,
    /// Records the `RssStatRun` shorthands stand for beyond the records they take.
    pub(crate) folded: usize,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog {
            data: Vec::with_capacity(EVENT_WORDS * INITIAL_EVENTS),
            hash: FNV_OFFSET,
            record: true,
            taken: 0,
            max_events: crate::limits::DEFAULT_MAX_EVENTS as usize,
            full: false,
            folded: 0,
        }
    }
}

impl EventLog {
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        ts: u64,
        cpu: i64,
        pid: u32,
        kind: Kind,
        a: i64,
        b: i64,
        c: i64,
        d: i64,
    ) {
        if self.records() >= self.max_events {
            self.full = true;
            return;
        }
        let rec = [
            ts as f64,
            cpu as f64,
            pid as f64,
            kind as u8 as f64,
            a as f64,
            b as f64,
            c as f64,
            d as f64,
        ];
        for w in rec {
            self.hash ^= w.to_bits();
            self.hash = self.hash.wrapping_mul(FNV_PRIME);
        }
        if self.record {
            self.reserve_one();
            self.data.extend_from_slice(&rec);
        }
    }

    /// Makes room for one more event, doubling the buffer but never past `max_events`, so
    /// a full log's buffer is exactly the limit's size and never its next power of two.
    fn reserve_one(&mut self) {
        if self.data.len() + EVENT_WORDS <= self.data.capacity() {
            return;
        }
        let room = self
            .max_events
            .saturating_sub(self.taken)
            .saturating_mul(EVENT_WORDS);
        let want = (self.data.capacity() * 2)
            .max(EVENT_WORDS * INITIAL_EVENTS)
            .min(room)
            .max(self.data.len() + EVENT_WORDS);
        self.data.reserve_exact(want - self.data.len());
    }

    /// Sets the most events the log holds (taken ones count).
    pub fn set_max_events(&mut self, max_events: usize) {
        self.max_events = max_events;
    }

    /// Whether an event was refused because the log was full.
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// The shorthand for a run of rss_stat records (`Kind::RssStatRun`: mm, earlier,
    /// period_ns, pages) and the record of its last batch: both go in, or neither and the
    /// log is full.
    pub fn push_rss_run(&mut self, ts: u64, cpu: i64, pid: u32, run: [i64; 4], last: [i64; 4]) {
        let [mm, earlier, period_ns, pages] = run;
        // The limit counts records written out, as if each batch had been its own step.
        if self.records() + earlier as usize + 1 > self.max_events {
            self.full = true;
            return;
        }
        self.push(
            ts,
            cpu,
            pid,
            Kind::RssStatRun,
            mm,
            earlier,
            period_ns,
            pages,
        );
        let [a, b, c, d] = last;
        self.push(ts, cpu, pid, Kind::RssStat, a, b, c, d);
        // The shorthand itself is no record; its batches are.
        self.folded += (earlier as usize).saturating_sub(1);
    }

    /// The records the log stands for: the shorthands written out (what a trace shows).
    pub fn records(&self) -> usize {
        self.len() + self.folded
    }

    /// Events logged so far, taken ones included.
    pub fn len(&self) -> usize {
        self.taken + self.data.len() / EVENT_WORDS
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Events from absolute index `first` on (taken ones are gone).
    pub fn slice_from(&self, first: usize) -> &[f64] {
        let start = first
            .saturating_sub(self.taken)
            .saturating_mul(EVENT_WORDS)
            .min(self.data.len());
        &self.data[start..]
    }

    /// Hands the recorded events over (the hash and the count stay): the log's owner reads
    /// them once, without a copy.
    pub fn take(&mut self) -> Vec<f64> {
        self.taken += self.data.len() / EVENT_WORDS;
        std::mem::take(&mut self.data)
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    pub fn set_recording(&mut self, on: bool) {
        self.record = on;
    }
}
