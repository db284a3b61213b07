//! Folding a zap walk's equal batches into one step when nothing can run between them, so
//! that unmapping a 64 GiB mm costs the simulator what a small one does while the simulated
//! machine does what it did batch by batch (docs/performance.md, "Size-independent cost").
//!
//! A walk step that reserved a full batch of one rss counter's pages (zap.rs
//! `reserve_batch`) is followed, when nothing interleaves, by steps that each free that batch
//! and reserve an equal one at the same cost, one every period (the cost and, for an exiting
//! task, the background load's share: `sched::step_current`). Nothing can interleave while
//! every other CPU is idle with an empty run queue (only a timer or another CPU's step makes
//! a task runnable), this CPU's run queue is empty (`should_preempt` needs a waiting task),
//! no timer is due before the last folded batch is freed, the run's `until` is not passed
//! and the step limit is not crossed: then no choice is drawn either (one CPU is due at each
//! of those instants). So the step reserves m batches at once, the CPU is busy m periods,
//! and the m batches are freed together at the instant the last one would have been, which
//! logs them as one `Kind::RssStatRun` shorthand and the last rss_stat record. The preemption
//! points between the folded batches are the ones nobody could take; the others stay steps.
//! Nothing between those instants can look at the mm, so every state anyone observes, and
//! the log written out (`decodeEvents`), are the batch-by-batch run's, record for record.
//!
//! `Kernel::set_folding(false)` turns folding off: the tests run both ways and compare.

use crate::frame::{Frame, Zap, ZapMode};
use crate::ids::Pid;
use crate::params;
use crate::world::World;

impl World {
    /// How many periods the step `p` just took on CPU `c` stands for: 1, or the m ≥ 2 equal
    /// batches it now holds (its `Zap` records them and their period).
    pub(crate) fn fold_zap(&mut self, c: usize, p: Pid, period_ns: u64) -> u64 {
        if !self.folding || period_ns == 0 {
            return 1;
        }
        let Some(Frame::Zap(mut z)) = self.task(p).and_then(|t| t.frames.last().copied()) else {
            return 1;
        };
        if z.pending != params::ZAP_BATCH_PAGES || z.pending_batches > 1 || !self.alone_on(c) {
            return 1;
        }
        let more = self
            .equal_batches_after(&z)
            .min(self.folds_before_anything_else(period_ns));
        if more == 0 {
            return 1;
        }
        let m = 1 + more;
        z.pending = m * params::ZAP_BATCH_PAGES;
        z.vma_budget -= more * params::ZAP_BATCH_PAGES;
        z.pending_batches = m;
        z.batch_period_ns = period_ns;
        self.set_top(p, Frame::Zap(z));
        // The folded batches' steps are steps all the same (the step limit counts them).
        self.steps_total += more;
        m
    }

    /// CPU `c` is the only one with anything to do, and nothing waits for it.
    fn alone_on(&self, c: usize) -> bool {
        self.cpus
            .iter()
            .enumerate()
            .all(|(i, cpu)| cpu.rq.is_empty() && (i == c || cpu.current.is_none()))
    }

    /// The full batches of the same single rss counter that the walk's current VMA still
    /// holds after the reserved one (the next `reserve_batch`es would price each the same).
    fn equal_batches_after(&self, z: &Zap) -> u64 {
        let batch = params::ZAP_BATCH_PAGES;
        // PTE-mapped THP pages are priced batch by batch: the folios freed differ (thp.rs).
        if z.pending_pte > 0 || z.thp_pte_budget > 0 {
            return 0;
        }
        let Some(vma) = self.mm(z.mm).and_then(|m| m.vmas.get(self.walk_index(z))) else {
            return 0;
        };
        // zap_some's order: anon, swap, file, then shmem when the walk takes shared pages.
        let m = vma.mapped;
        let shmem = if z.mode == ZapMode::ExitUnmap {
            m.shmem
        } else {
            0
        };
        let Some(&first) = [m.anon, m.swap, m.file, shmem].iter().find(|&&n| n > 0) else {
            return 0;
        };
        if first < batch {
            return 0;
        }
        ((first - batch) / batch).min(z.vma_budget / batch)
    }

    /// How many more periods fit before a timer is due, the run's `until` or a limit: the
    /// last folded batch is freed at `now + (1 + more) * period`, which must come before any
    /// timer (one due at that very instant fires first and could preempt) and not after
    /// `until` (the batch-by-batch run would stop with the earlier batches freed); the
    /// folded batches' steps and their rss_stat records, the last one's included, stay
    /// within the step and event limits, so a run reaches a limit where it did batch by batch.
    fn folds_before_anything_else(&self, period_ns: u64) -> u64 {
        let until = self.run_until_ns.saturating_sub(self.now_ns) / period_ns;
        let timer = self.next_timer_ns().map_or(u64::MAX, |at| {
            at.saturating_sub(self.now_ns).saturating_sub(1) / period_ns
        });
        // The step that frees the run is a step of its own: it must be allowed too.
        let steps = self.limits.max_steps.saturating_sub(self.steps_total + 1);
        let records = (self.log.max_events as u64)
            .saturating_sub(self.log.records() as u64)
            .saturating_sub(1);
        until.min(timer).saturating_sub(1).min(steps).min(records)
    }
}
