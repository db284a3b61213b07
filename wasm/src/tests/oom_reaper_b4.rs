//! §B.4 the oom_reaper kthread and the OOM killer's side of it (__oom_kill_process,
//! mark_oom_victim, queue_oom_reaper, wake_oom_reaper, oom_reap_task).

use super::*;
use crate::mm::{MMF_MULTIPROCESS, MMF_OOM_REAP_QUEUED, MMF_OOM_SKIP, MMF_OOM_VICTIM};
use crate::params::{MAX_OOM_REAP_RETRIES, OOM_REAP_RETRY_SLEEP_NS};

/// OOM_REAPER_DELAY = 2*HZ (e4a38402c36e, v5.18).
const OOM_REAPER_DELAY_NS: f64 = 2e9;

/// The OOM killer picks `victim` in the caller's context (the oom_reaper baseline's entry),
/// then the world runs to `until_ns`. Returns oom_kill_process's answer (processes signalled).
fn oom_kill_then_run(lab: &mut Lab, victim: i32, until_ns: f64) -> i32 {
    lab.enter();
    let r = lab.k.oom_kill_process(lab.me, victim);
    lab.leave();
    lab.idle_until(until_ns);
    r
}

fn ts_of(lab: &Lab, kind: Kind, pid: i32) -> Vec<f64> {
    lab.of(kind)
        .into_iter()
        .filter(|e| e.a == pid as f64)
        .map(|e| e.ts)
        .collect()
}

/// §B.4 queue_oom_reaper: from v5.18 the reaper is woken OOM_REAPER_DELAY (2 s) after the
/// victim was marked, and reaps after that.
#[test]
fn reaper_waits_oom_reaper_delay_from_5_18() {
    for kernel in [518, 600, 618] {
        let mut lab = Sim::new(kernel).victim(&[VmaSpec::anon(100)], D).lab(1);
        assert_eq!(oom_kill_then_run(&mut lab, VICTIM, 3.0 * ONE_S), 1);
        let marked = ts_of(&lab, Kind::MarkVictim, VICTIM)[0];
        assert_eq!(
            ts_of(&lab, Kind::WakeReaper, VICTIM),
            vec![marked + OOM_REAPER_DELAY_NS],
            "{kernel}"
        );
        assert!(
            ts_of(&lab, Kind::StartTaskReaping, VICTIM)[0] >= marked + OOM_REAPER_DELAY_NS,
            "{kernel}"
        );
        assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "{kernel}: reaped");
    }
}

/// §B.4 queue_oom_reaper: before v5.18 there is no delay: the reaper is woken when the victim
/// is marked.
#[test]
fn reaper_is_woken_at_once_before_5_18() {
    for kernel in [510, 515, 516, 517] {
        let mut lab = Sim::new(kernel).victim(&[VmaSpec::anon(100)], D).lab(1);
        oom_kill_then_run(&mut lab, VICTIM, ONE_S);
        let marked = ts_of(&lab, Kind::MarkVictim, VICTIM)[0];
        assert_eq!(
            ts_of(&lab, Kind::WakeReaper, VICTIM),
            vec![marked],
            "{kernel}"
        );
        assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "{kernel}: reaped");
    }
}

/// §B.4 mark_oom_victim: signal->oom_mm takes an mmgrab (mm_count + 1) and, until v6.0
/// (b3541d912a84), the mm gets MMF_OOM_VICTIM.
#[test]
fn mark_oom_victim_grabs_the_mm_and_sets_mmf_oom_victim_before_6_0() {
    for (kernel, victim_flag) in [
        (515, true),
        (517, true),
        (518, true),
        (600, false),
        (618, false),
    ] {
        let mut lab = Sim::new(kernel).victim(&[VmaSpec::anon(100)], D).lab(1);
        lab.enter();
        let count = lab.mm(H_VICTIM).count;
        lab.k.oom_kill_process(lab.me, VICTIM);
        let mm = lab.mm(H_VICTIM);
        assert_eq!(mm.count, count + 1.0, "{kernel}");
        assert_eq!(mm.flags & MMF_OOM_VICTIM != 0, victim_flag, "{kernel}");
    }
}

/// §B.4 queue_oom_reaper: MMF_OOM_REAP_QUEUED de-duplicates: choosing the same victim twice
/// (the second time through task_will_free_mem's short-cut) queues it once.
#[test]
fn queue_oom_reaper_deduplicates() {
    let mut lab = Sim::new(515).victim(&[VmaSpec::anon(100)], D).lab(1);
    lab.enter();
    assert_eq!(lab.k.oom_kill_process(lab.me, VICTIM), 1);
    assert_eq!(
        lab.k.oom_kill_process(lab.me, VICTIM),
        0,
        "already dying: no new kill"
    );
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(ts_of(&lab, Kind::WakeReaper, VICTIM).len(), 1);
    assert_eq!(ts_of(&lab, Kind::StartTaskReaping, VICTIM).len(), 1);
}

/// §B.4 oom_reap_task_mm: MMF_OOM_SKIP found under the lock → skip_task_reaping and success
/// (no retry, no "unable to reap"), nothing reaped.
#[test]
fn reaper_skips_an_mm_with_mmf_oom_skip_under_the_lock() {
    let mut lab = Sim::new(515).victim(&[VmaSpec::anon(100)], D).lab(1);
    lab.enter();
    assert_eq!(lab.k.mm_flag(lab.me, H_VICTIM, MMF_OOM_SKIP, 1), 0);
    assert_eq!(lab.k.oom_kill_process(lab.me, VICTIM), 1);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(ts_of(&lab, Kind::SkipTaskReaping, VICTIM).len(), 1);
    assert!(lab.of(Kind::StartTaskReaping).is_empty());
    assert!(lab.warns(Warn::UnableToReap).is_empty());
    assert_eq!(lab.mm(H_VICTIM).anon, 100.0);
}

/// §B.4 wake_oom_reaper: a victim that exited on its own during the delay (its exit_mmap set
/// MMF_OOM_SKIP, §B.5 v6.0+) is dropped: never queued, never reaped, and the task reference
/// queue_oom_reaper took is put back.
#[test]
fn wake_oom_reaper_drops_a_victim_whose_mm_has_mmf_oom_skip() {
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(100)], S).lab(1);
    let usage_before = lab.k.task_info(VICTIM as u32)[8];
    oom_kill_then_run(&mut lab, VICTIM, 3.0 * ONE_S);
    assert!(
        lab.mm(H_VICTIM).flags & MMF_OOM_SKIP != 0,
        "set by the victim's exit_mmap"
    );
    assert!(lab.of(Kind::WakeReaper).is_empty());
    assert!(lab.of(Kind::StartTaskReaping).is_empty() && lab.of(Kind::SkipTaskReaping).is_empty());
    assert_eq!(lab.k.task_info(VICTIM as u32)[8], usage_before);
}

/// A v5.15 victim (no reaper delay) stuck in D state until 1.5 s holding its own mmap_lock
/// for write, chosen by the OOM killer at once; the world then runs to 3 s.
fn victim_holding_its_mmap_lock() -> Lab {
    let sim = Sim::new(515)
        .victim(&[VmaSpec::anon(100)], D)
        .until_us(1_500_000)
        .hold(VICTIM, MM_VICTIM, true);
    let mut lab = sim.lab(1);
    oom_kill_then_run(&mut lab, VICTIM, 3.0 * ONE_S);
    lab
}

/// §B.4 oom_reap_task: a failed mmap_read_trylock is retried, MAX_OOM_REAP_RETRIES (10)
/// attempts HZ/10 (100 ms) apart; then "unable to reap" and MMF_OOM_SKIP set anyway, while
/// the memory is still mapped (the victim frees it itself at 1.5 s).
#[test]
fn trylock_failures_retry_ten_times_then_warn_and_set_mmf_oom_skip() {
    let lab = victim_holding_its_mmap_lock();
    let attempts = ts_of(&lab, Kind::SkipTaskReaping, VICTIM);
    assert_eq!(attempts.len(), MAX_OOM_REAP_RETRIES as usize);
    let sleep = OOM_REAP_RETRY_SLEEP_NS as f64;
    for w in attempts.windows(2) {
        let gap = w[1] - w[0];
        assert!(
            gap >= sleep && gap < sleep + 100e3,
            "attempts {gap} ns apart"
        );
    }
    let warn = lab.warns(Warn::UnableToReap);
    assert_eq!(warn.len(), 1);
    assert_eq!(
        (warn[0].pid, warn[0].b),
        (lab.k.oom_reaper_pid() as f64, VICTIM as f64)
    );
    let ev = lab.events();
    let skip_set = ev.iter().find(|e| {
        e.kind == Kind::MmFlag as u8 && e.a == MM_VICTIM as f64 && e.b == MMF_OOM_SKIP as f64
    });
    assert_eq!(
        skip_set.map(|e| (e.ts, e.pid)),
        Some((warn[0].ts, warn[0].pid)),
        "set by the reaper as it gives up"
    );
    let first_free = lab
        .of(Kind::RssStat)
        .into_iter()
        .find(|e| e.a == MM_VICTIM as f64)
        .unwrap();
    assert!(
        first_free.ts >= 1.5 * ONE_S && first_free.pid == VICTIM as f64,
        "nothing reaped before the victim woke"
    );
}

/// §B.4 oom_reap_task: `while (attempts++ < MAX_OOM_REAP_RETRIES && !oom_reap_task_mm())
/// schedule_timeout_idle(HZ/10)` sleeps after every failed attempt, the tenth included, so
/// the reaper gives up 10 × 100 ms ("about 1 s") after its first attempt.
#[test]
fn reaper_gives_up_a_full_second_after_its_first_attempt() {
    let lab = victim_holding_its_mmap_lock();
    let first = ts_of(&lab, Kind::SkipTaskReaping, VICTIM)[0];
    let warn = lab.warns(Warn::UnableToReap)[0].ts;
    assert!(
        warn - first >= MAX_OOM_REAP_RETRIES as f64 * OOM_REAP_RETRY_SLEEP_NS as f64,
        "gave up after {} ns",
        warn - first
    );
}

/// §B.4 oom_reap_task: a notifier failure counts as a failed attempt like a trylock failure:
/// ten attempts, "unable to reap", MMF_OOM_SKIP; the other VMAs were reaped.
#[test]
fn notifier_failure_counts_as_a_failed_attempt() {
    let vmas = [VmaSpec::anon(100).notifier(), VmaSpec::anon(200)];
    let mut lab = Sim::new(515).victim(&vmas, D).lab(1);
    oom_kill_then_run(&mut lab, VICTIM, 3.0 * ONE_S);
    assert_eq!(
        ts_of(&lab, Kind::StartTaskReaping, VICTIM).len(),
        MAX_OOM_REAP_RETRIES as usize
    );
    assert_eq!(lab.warns(Warn::UnableToReap).len(), 1);
    let mm = lab.mm(H_VICTIM);
    assert!(mm.flags & MMF_OOM_SKIP != 0);
    assert_eq!(mm.anon, 100.0, "only the refusing VMA is left");
}

/// §B.4: oom_reaper_list is LIFO: of two victims queued before the reaper runs, the second
/// is reaped first.
#[test]
fn reaper_list_is_lifo() {
    let sim =
        Sim::new(515)
            .victim(&[VmaSpec::anon(100)], D)
            .user_process(1100, &[VmaSpec::anon(100)], D);
    let mut lab = sim.lab(1);
    lab.enter();
    assert_eq!(lab.k.oom_kill_process(lab.me, VICTIM), 1);
    assert_eq!(lab.k.oom_kill_process(lab.me, 1100), 1);
    lab.leave();
    lab.idle_until(ONE_S);
    let order: Vec<f64> = lab.of(Kind::StartTaskReaping).iter().map(|e| e.a).collect();
    assert_eq!(order, vec![1100.0, VICTIM as f64]);
}

/// §B.4 mark_oom_victim thaws the victim: a frozen victim (which SIGKILL alone leaves frozen)
/// is runnable right after oom_kill_process, and then exits.
#[test]
fn mark_oom_victim_thaws_a_frozen_victim() {
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(100)], FROZEN).lab(1);
    lab.enter();
    assert_eq!(lab.k.oom_kill_process(lab.me, VICTIM), 1);
    assert_eq!(lab.state(VICTIM), RUN as f64);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.state(VICTIM), RELEASED);
}

/// mark_oom_victim thaws the victim's thread (__thaw_task) before the 2025 series, its whole
/// process (thaw_process) with it (~v6.18, with the reverse walk): a second frozen thread
/// stays frozen on 6.0 and the process cannot finish exiting; on 6.18 both threads run.
#[test]
fn mark_oom_victim_thaws_the_whole_process_from_6_18() {
    for (kernel, second) in [(600, FROZEN as f64), (618, RUN as f64)] {
        let sim = Sim::new(kernel)
            .victim(&[VmaSpec::anon(100)], FROZEN)
            .thread(VICTIM + 1, FROZEN);
        let mut lab = sim.lab(1);
        lab.enter();
        assert_eq!(lab.k.oom_kill_process(lab.me, VICTIM), 1);
        assert_eq!(lab.state(VICTIM), RUN as f64, "{kernel}: the marked thread");
        assert_eq!(lab.state(VICTIM + 1), second, "{kernel}: the other thread");
        lab.leave();
    }
}

/// §B.4 __oom_kill_process: every other process sharing the victim's mm gets SIGKILL too.
#[test]
fn oom_kill_process_kills_the_mm_sharers() {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(100)], D)
        .process(1100, MM_VICTIM)
        .parent(INIT)
        .thread(1100, D);
    let mut lab = sim.lab(1);
    lab.enter();
    assert_eq!(
        lab.k.oom_kill_process(lab.me, VICTIM),
        2,
        "the victim and its sharer"
    );
    assert_eq!(lab.k.signal_group_exit(1100), 1);
    let to_sharer: Vec<Ev> = lab
        .of(Kind::SignalGenerate)
        .into_iter()
        .filter(|e| e.b == 1100.0)
        .collect();
    assert_eq!(to_sharer.len(), 1);
    assert_eq!(
        (to_sharer[0].a, to_sharer[0].d),
        (SIGKILL as f64, 0.0),
        "SIGKILL delivered"
    );
}

/// §B.4 __oom_kill_process: a global-init sharer is not killed; it sets MMF_OOM_SKIP, prints
/// "oom killer %d (%s) has mm pinned by %d (%s)" and disables reaping (nothing is queued).
#[test]
fn init_sharer_sets_mmf_oom_skip_warns_and_disables_reaping() {
    let sim = Sim::new(618)
        .process(VICTIM, 0)
        .parent(INIT)
        .creds(VICTIM_UID, VICTIM_UID, 0)
        .thread(VICTIM, D);
    let init_mm = 1; // init's mm 0, shared by the victim
    let mut lab = sim.lab(1);
    lab.enter();
    assert_eq!(
        lab.k.oom_kill_process(lab.me, VICTIM),
        1,
        "only the victim is signalled"
    );
    let warn = lab.warns(Warn::MmPinnedByInit);
    assert_eq!(
        warn.iter().map(|w| w.b).collect::<Vec<_>>(),
        vec![INIT as f64]
    );
    assert_eq!(lab.k.mm_flag(lab.me, init_mm, MMF_OOM_SKIP, 0), 1);
    assert_eq!(lab.k.signal_group_exit(INIT as u32), 0);
    lab.leave();
    lab.idle_until(3.0 * ONE_S);
    assert!(lab.of(Kind::WakeReaper).is_empty());
    assert!(
        lab.mm(init_mm).flags & MMF_OOM_REAP_QUEUED == 0,
        "never queued"
    );
}

/// The `queue_oom_reaper(task, delay_us)` primitive (a design that queues the reaper itself,
/// the expedite flag's oom-reaper reading): refused with EINVAL before mark_oom_victim() (no
/// signal->oom_mm), and with a delay of 0 the kthread is woken at once, not after
/// OOM_REAPER_DELAY, and reaps.
#[test]
fn queue_oom_reaper_with_no_delay_wakes_the_kthread_at_once() {
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(100)], D).lab(1);
    lab.enter();
    assert_eq!(lab.k.queue_oom_reaper(lab.me, VICTIM as u32, 0), -EINVAL);
    assert_eq!(lab.k.queue_oom_reaper(lab.me, VICTIM as u32, -1), -EINVAL);
    assert_eq!(lab.k.kill_pid_info(lab.me, SIGKILL, VICTIM), 0);
    assert_eq!(lab.k.mark_oom_victim(lab.me, VICTIM as u32), 0);
    assert_eq!(lab.k.queue_oom_reaper(lab.me, VICTIM as u32, 0), 0);
    let queued_at = lab.k.now_ns();
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(ts_of(&lab, Kind::WakeReaper, VICTIM), vec![queued_at]);
    assert_eq!(ts_of(&lab, Kind::StartTaskReaping, VICTIM).len(), 1);
    let mm = MmSnap::of(&lab.k, H_VICTIM);
    assert_eq!(
        mm.anon, 0.0,
        "the kthread reaped the D-state victim's 100 pages"
    );
    assert_ne!(mm.flags & MMF_OOM_SKIP, 0);
}

/// kernel/fork.c copy_oom_score_adj(): MMF_MULTIPROCESS marks an mm that a process cloned
/// with CLONE_VM alone shares, not one shared only with a vfork child, nor a private one.
#[test]
fn mmf_multiprocess_marks_a_clone_vm_sharer_not_a_vfork_child() {
    let flags = |s: Sim| MmSnap::of(&s.load(1), H_VICTIM).flags & MMF_MULTIPROCESS;
    let alone = Sim::new(618).victim(&[VmaSpec::anon(8)], S);
    assert_eq!(flags(alone.clone()), 0);
    let clone_vm = alone
        .clone()
        .process(1200, MM_VICTIM)
        .parent(INIT)
        .thread(1200, S);
    assert_eq!(flags(clone_vm), MMF_MULTIPROCESS);
    let vfork = Sim::new(618)
        .victim(&[VmaSpec::anon(8)], D_VFORK)
        .process(1100, MM_VICTIM)
        .parent(VICTIM)
        .pflags(PF_VFORK_CHILD)
        .thread(1100, RUN);
    assert_eq!(flags(vfork), 0);
}
