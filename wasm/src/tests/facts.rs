//! `Kernel::kernel_facts()` and `Kernel::zap_coverage()`: the facts TypeScript reads instead of
//! typing them again say what the core does, and every table indexed by code agrees with the
//! enum it names.

use crate::abi::Kernel;
use crate::errno::EINVAL;
use crate::events::{ExitMmapPhase, Kind, LockOp, Warn};
use crate::frame::ZapMode;
use crate::load::{RECORDS, SCENARIO_EVENTS};
use crate::mm::MmState;
use crate::version::{ExitMmapShape, KernelVersion, FEATURES};
use crate::vma::{VmaKind, VM_HUGETLB, VM_LOCKED};
use crate::zap::{Coverage, COVERAGE_NAMES};
use std::collections::BTreeSet;

/// A table indexed by code lists each code at its index; names are unique.
#[test]
fn tables_indexed_by_code_agree_with_their_enums() {
    for (i, k) in Kind::ALL.iter().enumerate() {
        assert_eq!(*k as usize, i + 1, "{k:?}");
    }
    for (i, w) in Warn::ALL.iter().enumerate() {
        assert_eq!(*w as usize, i + 1, "{w:?}");
    }
    for (i, o) in LockOp::ALL.iter().enumerate() {
        assert_eq!(*o as usize, i, "{o:?}");
    }
    for (i, p) in ExitMmapPhase::ALL.iter().enumerate() {
        assert_eq!(*p as usize, i, "{p:?}");
    }
    for (i, s) in MmState::ALL.iter().enumerate() {
        assert_eq!(s.code() as usize, i, "{s:?}");
    }
    for (i, k) in VmaKind::ALL.iter().enumerate() {
        assert_eq!(VmaKind::from_code(i as i32), Some(*k));
    }
    assert_eq!(VmaKind::from_code(VmaKind::ALL.len() as i32), None);
    assert_eq!(VmaKind::from_code(-1), None);
    for (i, c) in [Coverage::Skipped, Coverage::Refused, Coverage::Zapped]
        .iter()
        .enumerate()
    {
        assert_eq!(*c as usize, i);
    }
    assert_eq!(COVERAGE_NAMES.len(), 3);
    let ops: Vec<i32> = RECORDS.iter().map(|r| r.0).collect();
    assert_eq!(ops, (1..=15).collect::<Vec<_>>(), "records in opcode order");
    let unique = |names: Vec<&str>| {
        let n = names.len();
        assert_eq!(names.into_iter().collect::<BTreeSet<_>>().len(), n);
    };
    unique(Kind::ALL.iter().map(|k| k.info().0).collect());
    unique(Warn::ALL.iter().map(|w| w.info().0).collect());
    unique(FEATURES.iter().map(|f| f.0).collect());
    unique(SCENARIO_EVENTS.iter().map(|e| e.0).collect());
    for k in Kind::ALL {
        assert!(k.info().1.len() <= 4, "{k:?} has at most a, b, c, d");
    }
}

/// The facts document is one JSON object with the values the core uses (spot checks; the
/// TypeScript side parses all of it at load, test/trace_test.ts and friends check more).
#[test]
fn kernel_facts_state_the_cores_values() {
    let facts = Kernel::kernel_facts();
    assert!(facts.starts_with('{') && facts.ends_with('}'));
    let depth = facts.chars().try_fold(0i32, |d, c| {
        let d = d + (c == '{' || c == '[') as i32 - (c == '}' || c == ']') as i32;
        (d >= 0).then_some(d)
    });
    assert_eq!(depth, Some(0), "balanced");
    for want in [
        r#""page_size":4096"#,
        r#""mmf_flags":{"MMF_OOM_SKIP":1,"MMF_UNSTABLE":2,"MMF_OOM_VICTIM":4,"MMF_OOM_REAP_QUEUED":8,"MMF_MULTIPROCESS":16}"#,
        r#""signals":{"SIGKILL":9,"SIGTERM":15,"SIGCONT":18,"SIGSTOP":19}"#,
        r#""pf_flags":{"PF_EXITING":4,"PF_KTHREAD":2097152}"#,
        r#""blocked":1000,"sim_bug":-10000"#,
        r#""REAP_NS_PER_PAGE":330"#,
        r#"{"name":"5.17","code":517,"features":{"exit_mmap_shape":"write_locked","exit_mmap_clears_mmap":true,"drops_signals_to_exiting_group":false,"lone_exit_sets_group_exit":false,"pidfd_self_sentinels":false,"pidfd_thread":false,"cgroup_kill":true,"pidfd_signal_scope_flags":false,"mlocked_reapable":false,"has_mmf_oom_victim":true,"oom_reaper_delay_ns":0,"reap_walks_in_reverse":false,"proc_mem_open_esrch":false}}"#,
        r#"{"code":1,"name":"sched_switch","args":["next_pid","prev_state","prev_pid"]}"#,
        r#""zap_modes":["reap","exit_unmap","madvise"]"#,
        r#""task_info":["tgid","state","flags","mm","cpu","cpu_time_ns","user_time_ns","sigkill_pending","usage","prio","external","ptl_spin_ns"]"#,
        r#""kernel_variants":{"exit_mm_retention":1,"exit_mmap_write_lock":2}"#,
        r#""kernel_variant_kernels":{"exit_mm_retention":["5.10","5.15","5.16","5.17","5.18","6.0","6.18"],"exit_mmap_write_lock":["6.0","6.18"]}"#,
        r#"{"op":4,"name":"VMA","len":9}"#,
    ] {
        assert!(facts.contains(want), "{want} not in {facts}");
    }
}

/// version.rs: each feature flips at the version its commit landed in (as the lab dates it).
#[test]
fn features_flip_at_their_versions() {
    use KernelVersion::*;
    let first = |f: fn(KernelVersion) -> bool| KernelVersion::ALL.into_iter().find(|v| f(*v));
    assert_eq!(first(KernelVersion::exit_mmap_clears_mmap), Some(V5_17));
    assert_eq!(
        first(KernelVersion::drops_signals_to_exiting_group),
        Some(V6_0)
    );
    assert_eq!(first(KernelVersion::lone_exit_sets_group_exit), Some(V6_0));
    assert_eq!(first(KernelVersion::pidfd_signal_scope_flags), Some(V6_18));
    assert_eq!(first(KernelVersion::cgroup_kill), Some(V5_15));
    assert_eq!(first(KernelVersion::pidfd_self_sentinels), Some(V6_18));
    assert_eq!(first(KernelVersion::pidfd_thread), Some(V6_18));
    assert_eq!(first(KernelVersion::pidfd_open_enoent), Some(V6_18));
    assert_eq!(first(KernelVersion::mlocked_reapable), Some(V5_18));
    assert_eq!(first(|v| !v.has_mmf_oom_victim()), Some(V6_0));
    assert_eq!(first(|v| v.oom_reaper_delay_ns() > 0), Some(V5_18));
    assert_eq!(first(KernelVersion::reap_walks_in_reverse), Some(V6_18));
    assert_eq!(first(KernelVersion::proc_mem_open_esrch), Some(V6_18));
    assert_eq!(V5_16.exit_mmap_shape(), ExitMmapShape::Unlocked);
    assert_eq!(V5_18.exit_mmap_shape(), ExitMmapShape::WriteLocked);
    assert_eq!(V6_0.exit_mmap_shape(), ExitMmapShape::ReadThenWrite);
    for v in KernelVersion::ALL {
        assert_eq!(KernelVersion::from_code(v.code()), Some(v));
    }
}

/// §B.3 and can_madv_lru_vma(): the rule the walks follow, as the export answers it.
#[test]
fn zap_coverage_answers_the_walks_rule() {
    let (reap, exit, madvise) = (0, 1, 2);
    assert_eq!(ZapMode::ALL[reap as usize], ZapMode::Reap);
    let (skipped, refused, zapped) = (0, 1, 2);
    let ask = |v, kind, flags, notifier, mode| Kernel::zap_coverage(v, kind, flags, notifier, mode);
    let (anon, anon_shared, file_private, pfnmap) = (0, 1, 2, 5);
    assert_eq!(ask(515, anon, 0, 0, reap), zapped);
    assert_eq!(ask(515, file_private, 0, 0, reap), zapped);
    assert_eq!(ask(515, anon_shared, 0, 0, reap), skipped);
    assert_eq!(ask(515, pfnmap, 0, 0, reap), skipped);
    assert_eq!(ask(618, anon, VM_HUGETLB, 0, reap), skipped);
    // a213e5cf71cb: mlocked VMAs are reaped from v5.18, never by MADV_DONTNEED.
    assert_eq!(ask(517, anon, VM_LOCKED, 0, reap), skipped);
    assert_eq!(ask(518, anon, VM_LOCKED, 0, reap), zapped);
    assert_eq!(ask(618, anon, VM_LOCKED, 0, madvise), skipped);
    // A refusing notifier fails the reap; MADV_DONTNEED waits for it.
    assert_eq!(ask(618, anon, 0, 1, reap), refused);
    assert_eq!(ask(618, anon, VM_LOCKED, 1, reap), refused);
    assert_eq!(ask(517, anon, VM_LOCKED, 1, reap), skipped);
    assert_eq!(ask(618, anon, 0, 1, madvise), zapped);
    // An hlist subscriber (KVM) refuses the same way until exit_mmap releases it.
    assert_eq!(ask(618, anon, 0, 2, reap), refused);
    assert_eq!(ask(618, anon, 0, 2, madvise), zapped);
    // THP (flag 8) changes what a zap costs, never whether it is reaped.
    assert_eq!(ask(618, anon, 8, 0, reap), zapped);
    assert_eq!(
        ask(618, anon_shared, VM_LOCKED | VM_HUGETLB, 1, exit),
        zapped
    );
    for bad in [
        ask(519, anon, 0, 0, reap),
        ask(618, 6, 0, 0, reap),
        ask(618, -1, 0, 0, reap),
        ask(618, anon, 16, 0, reap),
        ask(618, anon, 0, 3, reap),
        ask(618, anon, 0, -1, reap),
        ask(618, anon, 0, 0, 3),
        ask(618, anon, 0, 0, -1),
    ] {
        assert_eq!(bad, -EINVAL);
    }
}

/// The snapshot layouts name every value the snapshots return.
#[test]
fn snapshot_layouts_cover_every_value() {
    let k = super::load(&super::dstate_world(618, 500_000), 1);
    let facts = Kernel::kernel_facts();
    let count = |key: &str| {
        let at = facts.find(&format!("\"{key}\":[")).expect(key) + key.len() + 3;
        let end = at + facts[at..].find(']').unwrap();
        facts[at..end].split(',').count()
    };
    assert_eq!(k.task_info(1000).len(), count("task_info"));
    assert_eq!(k.mm_info(3).len(), count("mm_info"));
}
