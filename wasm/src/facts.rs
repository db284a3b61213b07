//! The kernel's facts as one JSON document for `Kernel::kernel_facts()`: the constants, the
//! kernel versions with their named features, and the layouts of everything that crosses
//! the boundary (event records, task and mm snapshots, the world program). It writes no
//! value of its own: every number and name comes from the table or constant the rest of
//! the core uses, so TypeScript reads them instead of typing them again.
//!
//! A table whose index is the code (`[name, ...]`) is written as a JSON array; one whose
//! codes are bits or start elsewhere is written as an object or with explicit codes.

use crate::errno::{BLOCKED, ERRNOS, RUN_LIMIT, SIM_BUG};
use crate::events::{ExitMmapPhase, Kind, LockOp, Warn, EVENT_FIELDS};
use crate::fd::FD_LIMIT;
use crate::frame::ZapMode;
use crate::ids::{CpuId, MmId, Pid, Tgid, PID_MAX_LIMIT};
use crate::load;
use crate::mm::{Mm, MmState, MMF_FLAGS};
use crate::params::{COST_MODEL, PAGE_SIZE};
use crate::prims;
use crate::process::CAPS;
use crate::signal::{SIGNALS, TRACE_SIGNAL_RESULTS};
use crate::task::{Policy, Task, DEFAULT_PRIO, PF_FLAGS, TASK_STATE_CODES};
use crate::variant::KERNEL_VARIANTS;
use crate::version::{FeatureValue, KernelVersion, FEATURES};
use crate::vma::{VmaKind, NOTIFIERS, VMA_FLAGS};
use crate::world::KERNEL_BUGS;
use crate::zap::{COVERAGE_NAMES, RSS_MEMBER_NAMES};

/// A JSON string (the names here are ASCII, but quote and escape anyway).
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn object<'a>(fields: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let body: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", string(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn array(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(","))
}

/// `{"NAME": value, ...}` of a (name, number) table.
fn numbers<T: Copy + Into<i128>>(table: &[(&str, T)]) -> String {
    object(table.iter().map(|&(k, v)| (k, v.into().to_string())))
}

/// `["name", ...]`: a table indexed by code.
fn names(table: &[&str]) -> String {
    array(table.iter().map(|s| string(s)))
}

/// `{"code": c, "name": n, "args": [...]}`: an enum whose codes are not its indexes, with
/// what its event arguments hold.
fn coded(code: u8, name: &str, args: &[&str]) -> String {
    object([
        ("code", code.to_string()),
        ("name", string(name)),
        ("args", names(args)),
    ])
}

fn version(v: KernelVersion) -> String {
    let features = FEATURES.iter().map(|&(name, of)| {
        let value = match of(v) {
            FeatureValue::Bool(b) => b.to_string(),
            FeatureValue::Ns(ns) => ns.to_string(),
            FeatureValue::Name(n) => string(n),
        };
        (name, value)
    });
    object([
        ("name", string(v.name())),
        ("code", v.code().to_string()),
        ("features", object(features)),
    ])
}

fn event() -> String {
    let kinds = Kind::ALL.iter().map(|&k| {
        let (name, args) = k.info();
        coded(k as u8, name, args)
    });
    let warns = Warn::ALL.iter().map(|&w| {
        let (name, args) = w.info();
        coded(w as u8, name, args)
    });
    let phases = ExitMmapPhase::ALL.iter().map(|p| {
        let (name, step) = p.info();
        object([("name", string(name)), ("step", string(step))])
    });
    object([
        ("fields", names(&EVENT_FIELDS)),
        ("kinds", array(kinds)),
        ("warns", array(warns)),
        (
            "lock_ops",
            array(LockOp::ALL.iter().map(|o| string(o.name()))),
        ),
        ("signal_results", numbers(&TRACE_SIGNAL_RESULTS)),
        ("rss_members", names(&RSS_MEMBER_NAMES)),
        ("exit_mmap_phases", array(phases)),
    ])
}

/// The names of a snapshot's fields, in order.
fn layout<const N: usize>(fields: [(&str, f64); N]) -> String {
    array(fields.iter().map(|(name, _)| string(name)))
}

fn world() -> String {
    let records = load::RECORDS.iter().map(|&(op, name, len)| {
        object([
            ("op", op.to_string()),
            ("name", string(name)),
            ("len", len.to_string()),
        ])
    });
    let events = load::SCENARIO_EVENTS
        .iter()
        .map(|&(name, args)| object([("name", string(name)), ("args", names(args))]));
    let limits: [(&str, i64); 12] = [
        ("PID_MAX_LIMIT", PID_MAX_LIMIT as i64),
        ("MAX_CPUS", load::MAX_CPUS as i64),
        ("MAX_VMAS_PER_MM", load::MAX_VMAS_PER_MM as i64),
        ("MAX_TASKS", load::MAX_TASKS as i64),
        ("MAX_EVENTS", load::MAX_EVENTS as i64),
        ("MAX_CAPACITY", load::MAX_CAPACITY),
        ("MAX_FREQ_MHZ", load::MAX_FREQ_MHZ),
        ("MAX_TIME_US", load::MAX_TIME_US),
        ("TIME_NONE_US", load::TIME_NONE_US),
        ("MAX_VMA_PAGES", load::MAX_VMA_PAGES),
        ("MAX_CGROUPS", crate::cgroup::MAX_CGROUPS as i64),
        (
            "MAX_PID_NAMESPACES",
            crate::pidns::MAX_PID_NAMESPACES as i64,
        ),
    ];
    object([
        ("records", array(records)),
        (
            "vma_kinds",
            array(VmaKind::ALL.iter().map(|k| string(k.name()))),
        ),
        ("vma_flags", numbers(&VMA_FLAGS)),
        ("notifiers", names(&NOTIFIERS)),
        ("process_flags", numbers(&load::PROCESS_FLAGS)),
        ("process_statuses", names(&load::PROCESS_STATUSES)),
        ("sched_policies", names(&load::SCHED_POLICIES)),
        ("thread_states", names(&load::THREAD_STATES)),
        ("thread_flags", numbers(&load::THREAD_FLAGS)),
        ("hold_modes", names(&load::HOLD_MODES)),
        ("fd_kinds", names(&load::FD_KINDS)),
        ("events", array(events)),
        ("fd_limit", FD_LIMIT.to_string()),
        ("limits", numbers(&limits)),
    ])
}

/// The whole document (see docs/architecture.md, "The boundary").
pub fn kernel_facts() -> String {
    let task = Task::new(Pid(0), Tgid(0), CpuId(0), 0, Policy::Normal { nice: 0 });
    let mm = Mm::new(MmId(0));
    let uapi: [(&str, i32); 12] = [
        ("PIDFD_NONBLOCK", prims::PIDFD_NONBLOCK),
        ("PIDFD_THREAD", prims::PIDFD_THREAD),
        ("WNOHANG", prims::WNOHANG),
        ("WEXITED", prims::WEXITED),
        ("PIDFD_SIGNAL_THREAD", prims::PIDFD_SIGNAL_THREAD),
        (
            "PIDFD_SIGNAL_THREAD_GROUP",
            prims::PIDFD_SIGNAL_THREAD_GROUP,
        ),
        (
            "PIDFD_SIGNAL_PROCESS_GROUP",
            prims::PIDFD_SIGNAL_PROCESS_GROUP,
        ),
        ("PIDFD_SELF_THREAD", prims::PIDFD_SELF_THREAD),
        ("PIDFD_SELF_THREAD_GROUP", prims::PIDFD_SELF_THREAD_GROUP),
        ("CLD_EXITED", crate::wait::CLD_EXITED),
        ("CLD_KILLED", crate::wait::CLD_KILLED),
        ("CLD_DUMPED", crate::wait::CLD_DUMPED),
    ];
    let task_states = TASK_STATE_CODES
        .iter()
        .map(|&(name, letter)| object([("name", string(name)), ("letter", string(letter))]));
    object([
        ("page_size", PAGE_SIZE.to_string()),
        ("mmf_flags", numbers(&MMF_FLAGS)),
        ("caps", numbers(&CAPS)),
        (
            "pidtypes",
            numbers(&[
                ("PIDTYPE_PID", prims::PIDTYPE_PID),
                ("PIDTYPE_TGID", prims::PIDTYPE_TGID),
            ]),
        ),
        (
            "ptrace_modes",
            numbers(&[
                ("PTRACE_MODE_READ", prims::PTRACE_MODE_READ),
                ("PTRACE_MODE_ATTACH", prims::PTRACE_MODE_ATTACH),
            ]),
        ),
        ("signals", numbers(&SIGNALS)),
        ("pf_flags", numbers(&PF_FLAGS)),
        ("uapi", numbers(&uapi)),
        ("errno", numbers(&ERRNOS)),
        ("blocked", BLOCKED.to_string()),
        ("sim_bug", SIM_BUG.to_string()),
        ("run_limit", RUN_LIMIT.to_string()),
        ("default_prio", DEFAULT_PRIO.to_string()),
        ("cost_model", numbers(&COST_MODEL)),
        ("kernel_bugs", numbers(&KERNEL_BUGS)),
        ("kernel_variants", numbers(&KERNEL_VARIANTS)),
        (
            "kernel_variant_kernels",
            object(KERNEL_VARIANTS.iter().map(|&(name, bit)| {
                let on = KernelVersion::ALL
                    .iter()
                    .filter(|v| crate::variant::applies(bit, **v))
                    .map(|v| string(v.name()));
                (name, array(on))
            })),
        ),
        (
            "versions",
            array(KernelVersion::ALL.iter().map(|&v| version(v))),
        ),
        (
            "zap_modes",
            array(ZapMode::ALL.iter().map(|m| string(m.name()))),
        ),
        ("zap_coverages", names(&COVERAGE_NAMES)),
        ("event", event()),
        ("task_states", array(task_states)),
        (
            "mm_states",
            array(MmState::ALL.iter().map(|s| string(s.name()))),
        ),
        ("task_info", layout(prims::task_info_fields(&task))),
        ("mm_info", layout(prims::mm_info_fields(&mm))),
        ("world", world()),
    ])
}
