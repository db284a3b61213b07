//! The kernel work a task has to do, as a stack of resumable frames. The scheduler runs the
//! innermost frame one step at a time; a step's effects happen at once and its cost then
//! occupies the CPU. Between steps are the preemption points.

use crate::ids::{MmId, Pid};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Userspace that computes: runs in slices and notices a fatal signal between them.
    User,
    /// Userspace and syscalls driven from TypeScript (a memory killer's thread).
    External,
    /// Back from a D-state sleep that held mmap_locks (a fault handler stuck on I/O while
    /// holding the lock, say): release them, then return to userspace.
    ReleaseHeld,
    /// do_exit() from its start.
    Exit(ExitPc),
    /// The dumping thread finished writing the core (coredump_finish): core_state is
    /// cleared and the group exits.
    CoreDumpDone,
    /// exit_mmap() run by the last mmput(), in whichever task's context that was.
    ExitMmap { mm: MmId, pc: u8 },
    /// A walk over the VMAs that zaps pages.
    Zap(Zap),
    /// The oom_reaper kthread's loop.
    OomReaper(Reaper),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitPc {
    /// get_signal → do_group_exit → do_exit: exit_signals() sets PF_EXITING.
    Start,
    /// exit_mm_release(): the robust-futex list walk and vfork completion.
    MmRelease,
    /// exit_mm(): mmap_read_lock (uninterruptible).
    MmLock,
    /// exit_mm(): task->mm = NULL under task_lock, unlock, mmput().
    MmDetach,
    /// sched_process_exit, exit_files, exit_notify: zombie or released.
    Notify,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZapMode {
    /// __oom_reap_task_mm(): private and anonymous VMAs only, non-blocking notifiers,
    /// skip rules by kernel version. Sets MMF_UNSTABLE.
    Reap,
    /// exit_mmap()'s unmap_vmas(): everything.
    ExitUnmap,
    /// process_madvise(MADV_DONTNEED) over a range: can_madv_lru_vma() and private or
    /// anonymous, blocking notifiers (zap_page_range).
    MadviseDontneed,
}

impl ZapMode {
    /// Every mode; its index is the mode's code in `Kernel::zap_covers`.
    pub const ALL: [ZapMode; 3] = [ZapMode::Reap, ZapMode::ExitUnmap, ZapMode::MadviseDontneed];

    /// The mode's name as `kernel_facts()` states it.
    pub fn name(self) -> &'static str {
        match self {
            ZapMode::Reap => "reap",
            ZapMode::ExitUnmap => "exit_unmap",
            ZapMode::MadviseDontneed => "madvise",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zap {
    pub mm: MmId,
    pub mode: ZapMode,
    /// VMAs finished so far (in walk order).
    pub done_vmas: usize,
    /// Within the current VMA: the per-VMA set-up has been charged.
    pub in_vma: bool,
    /// False once a notifier refused (the walk's bool result).
    pub ok: bool,
    /// Page range for MadviseDontneed, in pages [start, end).
    pub start_page: u64,
    pub end_page: u64,
    /// Reclaimable pages freed by this walk (madvise's result).
    pub freed_pages: u64,
    /// Pages still to zap in the current VMA (a partial range zaps its share).
    pub vma_budget: u64,
    /// Of those, the PTE-mapped pages of split transparent huge pages (thp.rs), zapped
    /// first and priced per PTE.
    pub thp_pte_budget: u64,
    /// Pages of the batch whose cost the CPU is paying now; they go at the end of it.
    pub pending: u64,
    /// Of those, PTE-mapped pages of split transparent huge pages.
    pub pending_pte: u64,
    /// How many equal batches `pending` holds: more than 1 when the scheduler folded the
    /// batches that follow into this step because nothing could run between them
    /// (fold.rs); they go together, and the log records them as one run.
    pub pending_batches: u64,
    /// The CPU time one of those batches occupied (cost and background), their spacing.
    pub batch_period_ns: u64,
    /// The walk runs under mmap_lock (reapers); exit_mmap's own walks hold the mm alone.
    pub needs_lock: bool,
}

impl Zap {
    pub fn new(mm: MmId, mode: ZapMode, needs_lock: bool) -> Self {
        Zap {
            mm,
            mode,
            done_vmas: 0,
            in_vma: false,
            ok: true,
            start_page: 0,
            end_page: u64::MAX,
            freed_pages: 0,
            vma_budget: 0,
            thp_pte_budget: 0,
            pending: 0,
            pending_pte: 0,
            pending_batches: 0,
            batch_period_ns: 0,
            needs_lock,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reaper {
    pub pc: ReaperPc,
    pub victim: Option<Pid>,
    pub mm: Option<MmId>,
    pub attempts: u32,
    /// An attempt succeeded (oom_reap_task_mm returned true).
    pub success: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaperPc {
    /// wait_event_freezable(oom_reaper_wait, oom_reaper_list != NULL), then take one.
    Wait,
    /// One oom_reap_task_mm() attempt.
    Attempt,
    /// Back from __oom_reap_task_mm: finish_task_reaping, unlock.
    AfterZap,
    /// After the retry loop: MMF_OOM_SKIP, put_task_struct.
    Done,
}
