//! Unit tests of the core against the reference's rules; each names the rule it checks.

use crate::abi::Kernel;
use crate::baseline::{run_baseline, Baseline};
use crate::errno::*;
use crate::events::{Kind, EVENT_WORDS};
use crate::load::*;

/// Builds world programs record by record.
#[derive(Default, Clone)]
pub struct Prog(pub Vec<i32>);

impl Prog {
    pub fn rec(mut self, op: i32, payload: &[i32]) -> Self {
        self.0.push(op);
        self.0.push(payload.len() as i32);
        self.0.extend_from_slice(payload);
        self
    }
}

pub const MIB: i32 = 256; // pages

/// The D-state scenario's shape: 4 little cores at minimum frequency, 4 big at maximum; an
/// lmkd with an RT main thread and a reaper thread on the big cores; a 512 MiB victim in D
/// state until `d_until_us` on little core 0.
pub fn dstate_world(kernel: i32, d_until_us: i32) -> Prog {
    let mut p = Prog::default().rec(OP_KERNEL, &[kernel]);
    for _ in 0..4 {
        p = p.rec(OP_CPU, &[673, 300, 1600]);
    }
    for _ in 0..4 {
        p = p.rec(OP_CPU, &[1024, 2500, 2500]);
    }
    p.rec(OP_MM, &[])
        .rec(OP_MM, &[])
        .rec(OP_MM, &[])
        .rec(OP_VMA, &[0, 0, 0, 0, MIB, MIB, 0, 0, 0])
        .rec(OP_VMA, &[1, 0, 0, 0, 16 * MIB, 16 * MIB, 0, 0, 0])
        .rec(OP_VMA, &[2, 0, 0, 0, 512 * MIB, 512 * MIB, 0, 0, 0])
        .rec(OP_PROCESS, &[1, 0, 0, 0, 0, 15, 2 | 8, 0])
        .rec(OP_PROCESS, &[2, 0, -1, 0, 0, 15, 1, 0])
        .rec(OP_PROCESS, &[500, 1, 1, 1069, 1069, 1 | 2, 8, 0])
        .rec(OP_PROCESS, &[1000, 1, 2, 10050, 10050, 0, 8, 0])
        .rec(OP_THREAD, &[1, 1, 0, 0xff, 0, 0, 0, 1, -1])
        .rec(OP_THREAD, &[2, 2, 0, 0xff, 0, 0, 0, 1, -1])
        .rec(OP_THREAD, &[500, 500, 4, 0xf0, 0, 1, 1, 1, -1])
        .rec(OP_THREAD, &[501, 500, 4, 0xf0, 0, 0, -20, 1, -1])
        .rec(OP_THREAD, &[1000, 1000, 0, 0x0f, 0, 0, 0, 2, d_until_us])
        .rec(OP_FD, &[500, 3, 0, 1000, 0])
        .rec(OP_CALLER, &[501])
        .rec(OP_HORIZON, &[5_000_000])
}

pub fn load(p: &Prog, seed: u32) -> Kernel {
    let mut k = Kernel::new(seed, 0);
    let r = k.load_world(&p.0);
    assert_eq!(r, 0, "{}", k.last_error());
    k
}

pub fn events_of(k: &Kernel, kind: Kind) -> Vec<[f64; EVENT_WORDS]> {
    k.events(0)
        .chunks(EVENT_WORDS)
        .filter(|e| e[3] as u8 == kind as u8)
        .map(|e| {
            let mut a = [0.0; EVENT_WORDS];
            a.copy_from_slice(e);
            a
        })
        .collect()
}

/// The time the victim's anon RSS reached 0 (the last rss_stat for MM_ANONPAGES of mm 2).
fn victim_anon_freed_at_ns(k: &Kernel) -> Option<f64> {
    events_of(k, Kind::RssStat).into_iter().filter(|e| e[4] == 2.0 && e[5] == 1.0 && e[6] == 0.0).map(|e| e[0]).next()
}

#[test]
fn sigkill_alone_frees_only_after_the_d_sleep() {
    let mut k = load(&dstate_world(618, 500_000), 1);
    assert_eq!(run_baseline(&mut k, Baseline::Sigkill, 1000, 0.0), 0, "{}", k.last_error());
    let freed = victim_anon_freed_at_ns(&k).expect("memory comes back");
    assert!(freed >= 500e6, "freed at {freed}");
    assert_eq!(k.mm_info(3)[3], 0.0);
}

#[test]
fn dump_for_debugging() {
    if std::env::var("DUMP").is_err() {
        return;
    }
    let which = if std::env::var("DUMP").unwrap() == "oom" { Baseline::OomReaper } else { Baseline::Sigkill };
    let mut k = load(&dstate_world(618, 500_000), 1);
    let r = run_baseline(&mut k, which, 1000, 0.0);
    for e in k.events(0).chunks(EVENT_WORDS) {
        if e[3] as usize == Kind::SchedSwitch as usize { continue; }
        println!("{:>14} cpu{:<2} {:>5} {:<20} {:?}", e[0], e[1], e[2], crate::events::KIND_NAMES[e[3] as usize], &e[4..]);
    }
    println!("ret {r} {}", k.last_error());
}
