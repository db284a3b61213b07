//! The event log: every state change, stamped with simulated time, CPU and task. Records
//! cross the boundary as a Float64Array of `EVENT_WORDS` numbers each (all integers, exact
//! below 2^53). Names of the kinds that are kernel tracepoints are the tracepoints' own.

pub const EVENT_WORDS: usize = 8;

/// Kinds. The TypeScript side keeps the same table (src/core/_events.ts) and a test checks
/// the two agree through `Kernel.event_kind_names()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// sched:sched_switch — a: next pid, b: prev_state code.
    SchedSwitch = 1,
    /// sched:sched_wakeup — a: woken pid, b: target cpu.
    SchedWakeup = 2,
    /// signal:signal_generate — a: sig, b: target pid, c: group (1/0), d: result
    /// (TRACE_SIGNAL_DELIVERED 0, IGNORED 1, ALREADY_PENDING 2).
    SignalGenerate = 3,
    /// signal:signal_deliver — a: sig.
    SignalDeliver = 4,
    /// oom:mark_victim — a: pid.
    MarkVictim = 5,
    /// oom:wake_reaper — a: pid.
    WakeReaper = 6,
    /// oom:start_task_reaping — a: pid.
    StartTaskReaping = 7,
    /// oom:finish_task_reaping — a: pid.
    FinishTaskReaping = 8,
    /// oom:skip_task_reaping — a: pid.
    SkipTaskReaping = 9,
    /// sched:sched_process_exit — a: pid, b: prio, c: group_dead.
    SchedProcessExit = 10,
    /// kmem:rss_stat — a: mm id, b: member (MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2,
    /// MM_SHMEMPAGES 3), c: size in bytes, d: curr (the mm is current's).
    RssStat = 11,
    /// A WARN/BUG the real kernel would print — a: `Warn` code, b, c: details.
    Warn = 12,
    /// raw_syscalls:sys_enter — a: nr, b: arg0, c: arg1.
    SysEnter = 13,
    /// raw_syscalls:sys_exit — a: nr, b: ret.
    SysExit = 14,
    /// lab: a task changed state — a: pid, b: state code (see TaskState::code), c: PF flags.
    TaskState = 15,
    /// lab: an MMF_ flag changed — a: mm, b: bit, c: 1 set / 0 clear.
    MmFlag = 16,
    /// lab: mm refcounts changed — a: mm, b: mm_users, c: mm_count.
    MmRef = 17,
    /// lab: mmap_lock — a: mm, b: `LockOp`.
    MmapLock = 18,
    /// lab: exit_mmap phase — a: mm, b: 0 start, 1 unmapped, 2 MMF_OOM_SKIP set,
    /// 3 page tables freed, 4 VMAs removed (done).
    ExitMmap = 19,
    /// sched:sched_process_free (release_task) — a: pid.
    SchedProcessFree = 20,
    /// lab: a timed scenario event fired — a: event kind, b, c: its arguments.
    ScenarioEvent = 21,
    /// lab: the simulation reached the end of the run — a: 1 horizon, 0 quiescent.
    RunEnd = 22,
}

pub const KIND_NAMES: &[&str] = &[
    "",
    "sched_switch",
    "sched_wakeup",
    "signal_generate",
    "signal_deliver",
    "mark_victim",
    "wake_reaper",
    "start_task_reaping",
    "finish_task_reaping",
    "skip_task_reaping",
    "sched_process_exit",
    "rss_stat",
    "warn",
    "sys_enter",
    "sys_exit",
    "task_state",
    "mm_flag",
    "mm_ref",
    "mmap_lock",
    "exit_mmap",
    "sched_process_free",
    "scenario_event",
    "run_end",
];

/// What a WARN event means (the real kernel's message is given with each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Warn {
    /// Pages were zapped from an mm that a live, not dying, process still uses. b: the live
    /// process's tgid. (No kernel message: silent data loss — Jann Horn's objection, §C.2.)
    ZapLiveSharer = 1,
    /// exit_robust_list() could not read the robust-futex list because it was reaped first:
    /// waiters are never told OWNER_DIED (§F.6). b: the exiting pid.
    RobustListUnreadable = 2,
    /// "BUG: KASAN: use-after-free": a VMA walked after exit_mmap freed it (§F.3).
    VmaUseAfterFree = 3,
    /// "BUG: unable to handle page fault … pte_offset_map_lock": page tables freed by
    /// exit_mmap while another task walked them without the lock (§F.1). b: the walker.
    PgtablesFreedUnderWalker = 4,
    /// "refcount_t: underflow; use-after-free" on mm_count or mm_users. b: 0 count, 1 users.
    MmRefUnderflow = 5,
    /// put_task_struct() on a task with no reference left. b: the pid.
    TaskRefUnderflow = 6,
    /// "BUG: scheduling while atomic": slept holding task_lock. b: the task whose lock.
    SleepWithTaskLock = 7,
    /// lockdep: __oom_reap_task_mm without mmap_lock held for read.
    ReapWithoutMmapLock = 8,
    /// "oom_reaper: unable to reap pid:%d" after MAX_OOM_REAP_RETRIES. b: the pid.
    UnableToReap = 9,
    /// An unlock of a lock the task does not hold. b: the mm.
    UnlockNotHeld = 10,
    /// "oom killer %d (%s) has mm pinned by %d (%s)": a global-init sharer. b: the pid.
    MmPinnedByInit = 11,
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

/// FNV-1a over the 64-bit patterns of every number (a word at a time, not a byte: the log is
/// hashed on every event), so a hash computed in WASM and natively agrees whenever the logs
/// agree.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

pub struct EventLog {
    data: Vec<f64>,
    hash: u64,
    /// Recording can be turned off for benchmarks of the model alone; the hash still runs.
    record: bool,
    /// Events handed over by `take`.
    taken: usize,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog {
            // Room for a typical scenario's events: a run does not regrow the log.
            data: Vec::with_capacity(EVENT_WORDS * 256),
            hash: FNV_OFFSET,
            record: true,
            taken: 0,
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
            self.data.extend_from_slice(&rec);
        }
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
