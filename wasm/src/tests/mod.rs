//! Unit tests of the core against the reference's rules
//! (/work/shared/reference/kernel-semantics.md); each test's doc comment names the rule it
//! checks. The files are grouped by reference section; the world builder (`Sim`), the driver
//! of the caller's TypeScript-like segments (`Lab`) and the event decoding (`Ev`) are here.
//!
//! Expected numbers come from the reference and from the cost parameters in params.rs; each
//! test says how it derives them.

mod boundary;
mod cgroup;
mod exit_mmap_b5;
mod facts;
mod fold;
mod helpers_b1_b2;
mod history;
mod limits;
mod oom_reaper_b4;
mod pidfd;
mod pidns;
mod ptrace_exit;
mod reap_b3;
mod sched;
mod second_guards;
mod signals;
mod thp;
mod variants_2026;

use crate::abi::Kernel;
use crate::baseline::{run_baseline, Baseline};
use crate::errno::*;
use crate::events::{Kind, Warn, EVENT_WORDS};
use crate::load::*;
use crate::process::CAPS_MASK;

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
    p.rec(OP_MM, &[0])
        .rec(OP_MM, &[0])
        .rec(OP_MM, &[0])
        .rec(OP_VMA, &[0, 0, 0, 0, MIB, MIB, 0, 0, 0])
        .rec(OP_VMA, &[1, 0, 0, 0, 16 * MIB, 16 * MIB, 0, 0, 0])
        .rec(OP_VMA, &[2, 0, 0, 0, 512 * MIB, 512 * MIB, 0, 0, 0])
        .rec(OP_PROCESS, &[1, 0, 0, 0, 0, 15, 2 | 8, 0, 1])
        .rec(OP_PROCESS, &[2, 0, -1, 0, 0, 15, 1, 0, 2])
        .rec(OP_PROCESS, &[500, 1, 1, 1069, 1069, 1 | 2, 8, 0, 500])
        .rec(OP_PROCESS, &[1000, 1, 2, 10050, 10050, 0, 8, 0, 1000])
        .rec(OP_THREAD, &[1, 1, 0, 0xff, 0, 0, 0, 1, -1, 0])
        .rec(OP_THREAD, &[2, 2, 0, 0xff, 0, 0, 0, 1, -1, 0])
        .rec(OP_THREAD, &[500, 500, 4, 0xf0, 0, 1, 1, 1, -1, 0])
        .rec(OP_THREAD, &[501, 500, 4, 0xf0, 0, 0, -20, 1, -1, 0])
        .rec(OP_THREAD, &[1000, 1000, 0, 0x0f, 0, 0, 0, 2, d_until_us, 0])
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
    written_out(k)
        .into_iter()
        .filter(|e| e[3] as u8 == kind as u8)
        .collect()
}

/// The log with each folded run of rss_stat records written out (fold.rs), as the
/// TypeScript side's `decodeEvents` does: `earlier` records before the run's last one, one
/// every `period_ns`, each `pages` pages above the next.
pub fn written_out(k: &Kernel) -> Vec<[f64; EVENT_WORDS]> {
    let words = k.events(0);
    let mut out = Vec::new();
    let mut records = words.chunks(EVENT_WORDS).peekable();
    while let Some(e) = records.next() {
        let mut r = [0.0; EVENT_WORDS];
        r.copy_from_slice(e);
        if e[3] as u8 != Kind::RssStatRun as u8 {
            out.push(r);
            continue;
        }
        let last = records.peek().expect("a run's last rss_stat follows it");
        assert_eq!(
            last[3] as u8,
            Kind::RssStat as u8,
            "a run ends with rss_stat"
        );
        let (earlier, period, bytes) = (e[5], e[6], e[7] * crate::params::PAGE_SIZE as f64);
        for k in (1..=earlier as u64).rev() {
            let mut r = [0.0; EVENT_WORDS];
            r.copy_from_slice(last);
            r[0] -= k as f64 * period;
            r[6] += k as f64 * bytes;
            out.push(r);
        }
    }
    out
}

/// The time the victim's anon RSS reached 0 (the last rss_stat for MM_ANONPAGES of mm 2).
fn victim_anon_freed_at_ns(k: &Kernel) -> Option<f64> {
    events_of(k, Kind::RssStat)
        .into_iter()
        .filter(|e| e[4] == 2.0 && e[5] == 1.0 && e[6] == 0.0)
        .map(|e| e[0])
        .next()
}

#[test]
fn sigkill_alone_frees_only_after_the_d_sleep() {
    let mut k = load(&dstate_world(618, 500_000), 1);
    assert_eq!(
        run_baseline(&mut k, Baseline::Sigkill, 1000, 0.0),
        0,
        "{}",
        k.last_error()
    );
    let freed = victim_anon_freed_at_ns(&k).expect("memory comes back");
    assert!(freed >= 500e6, "freed at {freed}");
    assert_eq!(k.mm_info(3)[3], 0.0);
}

// ---- the world builder ------------------------------------------------------------------

/// Every kernel version the world program knows (reference §0 timeline).
pub const ALL_KERNELS: [i32; 7] = [510, 515, 516, 517, 518, 600, 618];

/// CPU presets of docs/scenario-format.md: the reference CPU (speed 1.0, so costs in
/// params.rs are nanoseconds as they are) and the SD845 little core at 300 MHz.
pub const BIG_MAX: [i32; 3] = [1024, 2500, 2500];
pub const LITTLE_MIN: [i32; 3] = [673, 300, 1600];

/// Thread states of the world program (THREAD_STATE_CODE); also `task_info`'s state codes
/// (TaskState::code, where 0 is running or runnable and 6 is released).
pub const RUN: i32 = 0;
pub const S: i32 = 1;
pub const D: i32 = 2;
pub const STOPPED: i32 = 3;
pub const FROZEN: i32 = 4;
pub const ZOMBIE: i32 = 5;
pub const D_VFORK: i32 = 6;
pub const RELEASED: f64 = 6.0;

/// Process flag bits of the world program (PROCESS_FLAG_BIT).
pub const PF_KTHREAD: i32 = 1;
pub const PF_INIT: i32 = 2;
pub const PF_CORE_DUMP: i32 = 4;
pub const PF_PARENT_WAITS: i32 = 8;
pub const PF_VFORK_CHILD: i32 = 16;

/// VMA kind codes (VMA_KIND_CODE).
pub const ANON: i32 = 0;
pub const ANON_SHARED: i32 = 1;
pub const FILE_PRIVATE: i32 = 2;
pub const FILE_SHARED: i32 = 3;
pub const SHMEM: i32 = 4;
pub const PFNMAP: i32 = 5;

/// FD kinds (FD_KIND_CODE) and event kinds (EVENT_KIND_CODE).
pub const FD_PIDFD: i32 = 0;
pub const FD_PROC_DIR: i32 = 1;
pub const FD_FILE: i32 = 2;
pub const EV_EXIT: i32 = 1;
pub const EV_KILL: i32 = 2;

/// The base world's actors: init, the memory killer (the caller) and the victim.
pub const INIT: i32 = 1;
pub const KILLER: i32 = 500;
pub const VICTIM: i32 = 1000;
/// The victim's mm is the base world's third (index 2); handles are index + 1.
pub const MM_VICTIM: i32 = 2;
pub const H_VICTIM: u32 = 3;
/// uids of the base world: the killer and the victim run as different users.
pub const KILLER_UID: i32 = 1069;
pub const VICTIM_UID: i32 = 10050;

pub const SIGKILL: i32 = crate::signal::SIGKILL;
pub const ONE_S: f64 = 1e9;
pub const MS: f64 = 1e6;

/// One VMA record's payload after the mm index.
#[derive(Clone, Copy)]
pub struct VmaSpec {
    kind: i32,
    flags: u32,
    notifier: bool,
    size: i32,
    anon: i32,
    file: i32,
    shmem: i32,
    swap: i32,
}

impl VmaSpec {
    /// Private anonymous memory, fully resident.
    pub fn anon(pages: i32) -> Self {
        VmaSpec {
            kind: ANON,
            flags: 0,
            notifier: false,
            size: pages,
            anon: pages,
            file: 0,
            shmem: 0,
            swap: 0,
        }
    }

    /// A VMA of any kind with nothing resident yet (add pages with `pages`).
    pub fn of(kind: i32, size: i32) -> Self {
        VmaSpec {
            kind,
            size,
            anon: 0,
            ..Self::anon(0)
        }
    }

    pub fn pages(mut self, anon: i32, file: i32, shmem: i32, swap: i32) -> Self {
        (self.anon, self.file, self.shmem, self.swap) = (anon, file, shmem, swap);
        self
    }

    pub fn flags(mut self, f: u32) -> Self {
        self.flags |= f;
        self
    }

    /// An mmu notifier on the range that refuses non-blocking invalidation (§B.3 step 4).
    pub fn notifier(mut self) -> Self {
        self.notifier = true;
        self
    }
}

#[derive(Clone)]
struct ProcSpec {
    rec: [i32; 9],
    threads: Vec<[i32; 10]>,
}

/// A world, built in any order and encoded in the order the loader wants.
#[derive(Clone)]
pub struct Sim {
    kernel: i32,
    cpus: Vec<[i32; 3]>,
    mms: Vec<Vec<VmaSpec>>,
    procs: Vec<ProcSpec>,
    holds: Vec<[i32; 3]>,
    fds: Vec<[i32; 5]>,
    events: Vec<[i32; 5]>,
    caller: Option<i32>,
    horizon_us: i32,
    /// `Kernel::set_kernel_variants` bits, set before the world loads.
    variants: u32,
}

impl Sim {
    /// Nothing but the kernel version.
    pub fn bare(kernel: i32) -> Self {
        Sim {
            kernel,
            cpus: Vec::new(),
            mms: Vec::new(),
            procs: Vec::new(),
            holds: Vec::new(),
            fds: Vec::new(),
            events: Vec::new(),
            caller: None,
            horizon_us: 10_000_000,
            variants: 0,
        }
    }

    /// The base world: 4 reference CPUs; init (tgid 1, mm 0, all capabilities, sleeping on
    /// CPU 0); the memory killer (tgid 500, mm 1, uid 1069 with CAP_KILL, sleeping on CPU 1)
    /// as the caller. Add the victim with `victim`.
    pub fn new(kernel: i32) -> Self {
        Sim::bare(kernel)
            .cpus(&[BIG_MAX; 4])
            .mm(&[VmaSpec::anon(16)])
            .mm(&[VmaSpec::anon(256)])
            .process(INIT, 0)
            .creds(0, 0, CAPS_MASK as i32)
            .pflags(PF_INIT)
            .thread(INIT, S)
            .process(KILLER, 1)
            .parent(INIT)
            .creds(KILLER_UID, KILLER_UID, crate::process::CAP_KILL as i32)
            .thread(KILLER, S)
            .on(1)
            .caller(KILLER)
    }

    /// The victim (tgid 1000, uid 10050, its own mm with `vmas`, child of init, waited for),
    /// its leader in `state` on CPU 0. Call right after `new`: its mm is then mm 2.
    pub fn victim(self, vmas: &[VmaSpec], state: i32) -> Self {
        assert_eq!(
            self.mms.len() as i32,
            MM_VICTIM,
            "victim() right after new()"
        );
        self.user_process(VICTIM, vmas, state)
            .creds(VICTIM_UID, VICTIM_UID, 0)
    }

    /// A user process with its own mm (the next mm index), child of init, waited for, its
    /// leader in `state` on CPU 0.
    pub fn user_process(self, tgid: i32, vmas: &[VmaSpec], state: i32) -> Self {
        let mm = self.mms.len() as i32;
        self.mm(vmas)
            .process(tgid, mm)
            .parent(INIT)
            .thread(tgid, state)
    }

    /// `n` sleeping kthreads (tgids from `first`), to make for_each_process longer.
    pub fn filler_kthreads(mut self, first: i32, n: i32) -> Self {
        for tgid in first..first + n {
            self = self.kthread(tgid).thread(tgid, S);
        }
        self
    }

    pub fn cpus(mut self, cpus: &[[i32; 3]]) -> Self {
        self.cpus = cpus.to_vec();
        self
    }

    pub fn mm(mut self, vmas: &[VmaSpec]) -> Self {
        self.mms.push(vmas.to_vec());
        self
    }

    /// A process using mm index `mm`; uid = euid = tgid, no capability, no parent, not
    /// waited for. The modifiers below change the last process added.
    pub fn process(mut self, tgid: i32, mm: i32) -> Self {
        self.procs.push(ProcSpec {
            rec: [tgid, 0, mm, tgid, tgid, 0, 0, 0, tgid],
            threads: Vec::new(),
        });
        self
    }

    pub fn kthread(self, tgid: i32) -> Self {
        self.process(tgid, -1)
            .creds(0, 0, CAPS_MASK as i32)
            .pflags(PF_KTHREAD)
    }

    fn last_proc(&mut self) -> &mut ProcSpec {
        self.procs.last_mut().expect("a process first")
    }

    pub fn parent(mut self, tgid: i32) -> Self {
        self.last_proc().rec[1] = tgid;
        self.pflags(PF_PARENT_WAITS)
    }

    /// The parent does not wait: the zombie stays until someone reaps it.
    pub fn unwaited(mut self) -> Self {
        self.last_proc().rec[6] &= !PF_PARENT_WAITS;
        self
    }

    pub fn creds(mut self, uid: i32, euid: i32, caps: i32) -> Self {
        let r = &mut self.last_proc().rec;
        (r[3], r[4], r[5]) = (uid, euid, caps);
        self
    }

    pub fn pflags(mut self, f: i32) -> Self {
        self.last_proc().rec[6] |= f;
        self
    }

    pub fn status(mut self, s: i32) -> Self {
        self.last_proc().rec[7] = s;
        self
    }

    /// Changes the credentials of an already added process.
    pub fn creds_of(mut self, tgid: i32, uid: i32, euid: i32, caps: i32) -> Self {
        let p = self
            .procs
            .iter_mut()
            .find(|p| p.rec[0] == tgid)
            .expect("known process");
        (p.rec[3], p.rec[4], p.rec[5]) = (uid, euid, caps);
        self
    }

    /// A thread of the last process, on CPU 0, any CPU allowed, SCHED_NORMAL nice 0.
    pub fn thread(mut self, pid: i32, state: i32) -> Self {
        let tgid = self.last_proc().rec[0];
        self.last_proc()
            .threads
            .push([pid, tgid, 0, -1, -1, 0, 0, state, -1, 0]);
        self
    }

    fn last_thread(&mut self) -> &mut [i32; 10] {
        self.last_proc().threads.last_mut().expect("a thread first")
    }

    /// The last thread's CPU.
    pub fn on(mut self, cpu: i32) -> Self {
        self.last_thread()[2] = cpu;
        self
    }

    /// The last thread may run only on the CPUs of `mask`.
    pub fn pinned(mut self, mask: i32) -> Self {
        let t = self.last_thread();
        (t[3], t[4]) = (mask, 0);
        self
    }

    /// The last thread's S or D sleep ends at `us`.
    pub fn until_us(mut self, us: i32) -> Self {
        self.last_thread()[8] = us;
        self
    }

    /// The last thread is traced with PTRACE_O_TRACEEXIT by a tracer that never resumes it.
    pub fn traced_exit(mut self) -> Self {
        self.last_thread()[9] = crate::load::THREAD_TRACED_EXIT;
        self
    }

    /// `pid` holds mm index `mm`'s mmap_lock across its D sleep.
    pub fn hold(mut self, pid: i32, mm: i32, write: bool) -> Self {
        self.holds.push([pid, mm, write as i32]);
        self
    }

    pub fn fd(mut self, owner: i32, fd: i32, kind: i32, target: i32) -> Self {
        self.fds.push([owner, fd, kind, target, 0]);
        self
    }

    pub fn event(mut self, at_us: i32, kind: i32, a: i32, b: i32, c: i32) -> Self {
        self.events.push([at_us, kind, a, b, c]);
        self
    }

    pub fn caller(mut self, pid: i32) -> Self {
        self.caller = Some(pid);
        self
    }

    pub fn horizon_us(mut self, us: i32) -> Self {
        self.horizon_us = us;
        self
    }

    /// The world program, records in the loader's order (docs/scenario-format.md).
    pub fn prog(&self) -> Prog {
        let mut p = Prog::default().rec(OP_KERNEL, &[self.kernel]);
        for c in &self.cpus {
            p = p.rec(OP_CPU, c);
        }
        for _ in &self.mms {
            p = p.rec(OP_MM, &[0]);
        }
        for (mm, vmas) in self.mms.iter().enumerate() {
            for v in vmas {
                let rec = [
                    mm as i32,
                    v.kind,
                    v.flags as i32,
                    v.notifier as i32,
                    v.size,
                    v.anon,
                    v.file,
                    v.shmem,
                    v.swap,
                ];
                p = p.rec(OP_VMA, &rec);
            }
        }
        for pr in &self.procs {
            p = p.rec(OP_PROCESS, &pr.rec);
        }
        for t in self.procs.iter().flat_map(|pr| &pr.threads) {
            p = p.rec(OP_THREAD, t);
        }
        for h in &self.holds {
            p = p.rec(OP_HOLD, h);
        }
        for f in &self.fds {
            p = p.rec(OP_FD, f);
        }
        for e in &self.events {
            p = p.rec(OP_EVENT, e);
        }
        if let Some(c) = self.caller {
            p = p.rec(OP_CALLER, &[c]);
        }
        p.rec(OP_HORIZON, &[self.horizon_us])
    }

    pub fn load(&self, seed: u32) -> Kernel {
        let mut k = Kernel::new(seed, 0);
        assert_eq!(k.set_kernel_variants(self.variants), 0);
        let r = k.load_world(&self.prog().0);
        assert_eq!(r, 0, "{}", k.last_error());
        k
    }

    /// Switches kernel variants on (variant.rs) for `load` and `lab`.
    pub fn variants(mut self, mask: u32) -> Self {
        self.variants = mask;
        self
    }

    /// The world loaded, with the base world's killer as the one driven from "TypeScript".
    pub fn lab(&self, seed: u32) -> Lab {
        Lab {
            k: self.load(seed),
            me: KILLER as u32,
        }
    }

    /// The world itself, for rules only reachable inside the crate.
    pub fn world(&self) -> crate::world::World {
        let mut w = crate::world::World::new(1);
        if let Err(e) = w.load(&self.prog().0) {
            panic!("world program word {}: {}", e.word, e.message);
        }
        w
    }
}

// ---- driving the caller -----------------------------------------------------------------

/// Far beyond any test's horizon: "until the caller runs again".
pub const FOREVER: f64 = 1e12;

/// A loaded kernel and the external thread whose segments the test plays, as the TypeScript
/// runner does: `enter` (ext_start, then run until the core hands the thread over), calls
/// with `cur = me`, `wait` for a blocking primitive's result, `leave` (ext_end).
pub struct Lab {
    pub k: Kernel,
    pub me: u32,
}

impl Lab {
    pub fn enter(&mut self) {
        assert_eq!(
            self.k.ext_start(self.me),
            0,
            "ext_start: {}",
            self.k.last_error()
        );
        self.resume();
    }

    /// Runs the world until the caller's segment runs again.
    pub fn resume(&mut self) {
        let r = self.k.run(FOREVER);
        assert_eq!(
            r,
            self.me as i32,
            "run returned {r} instead of the caller: {}",
            self.k.last_error()
        );
    }

    /// A blocking primitive answered `answer`: yield, let the kernel work run in the
    /// caller's context, and return its result.
    pub fn wait(&mut self, answer: i32) -> f64 {
        assert_eq!(answer, BLOCKED, "the primitive should block");
        assert_eq!(self.k.ext_yield(self.me), 0);
        self.resume();
        self.k.take_result(self.me)
    }

    pub fn leave(&mut self) {
        assert_eq!(self.k.ext_end(self.me), 0);
    }

    /// Lets the world run to `t_ns` while the caller sleeps in userspace.
    pub fn idle_until(&mut self, t_ns: f64) {
        let r = self.k.run(t_ns);
        assert_eq!(r, 0, "run: {}", self.k.last_error());
        assert_eq!(self.k.check_invariants(), 0, "{}", self.k.last_error());
    }

    pub fn kill(&mut self, tgid: i32) {
        assert_eq!(self.k.kill(self.me, tgid, SIGKILL), 0);
    }

    /// What a reaping design does with the mm: mmgrab, mmap_read_lock, __oom_reap_task_mm,
    /// mmap_read_unlock, mmdrop. Returns __oom_reap_task_mm's result (1 true, 0 false).
    pub fn reap(&mut self, mm: u32) -> f64 {
        assert_eq!(self.k.mm_ref(self.me, mm, 0), 0, "mmgrab");
        assert_eq!(
            self.k.mmap_lock(self.me, mm, 0, 0),
            0,
            "the read lock is free"
        );
        let answer = self.k.oom_reap_task_mm(self.me, mm);
        let r = self.wait(answer);
        assert_eq!(self.k.mmap_unlock(self.me, mm, 0), 0);
        assert_eq!(self.k.mm_ref(self.me, mm, 1), 0, "mmdrop");
        r
    }

    /// The caller kills the victim and reaps its mm (`reap`) while the victim exits; the
    /// world then runs to 1 s.
    pub fn kill_and_reap(mut self) -> Self {
        self.enter();
        self.kill(VICTIM);
        self.reap(H_VICTIM);
        self.leave();
        self.idle_until(ONE_S);
        self
    }

    /// The caller's CPU time consumed by `f`'s primitives: a segment's cost is charged when
    /// the caller yields, so what the segment did before `f` is settled first.
    pub fn segment_cost(&mut self, f: impl FnOnce(&mut Kernel, u32)) -> f64 {
        assert_eq!(self.k.ext_yield(self.me), 0);
        self.resume();
        let before = self.cpu_time(self.me as i32);
        f(&mut self.k, self.me);
        assert_eq!(self.k.ext_yield(self.me), 0);
        self.resume();
        self.cpu_time(self.me as i32) - before
    }

    /// task_info's state code.
    pub fn state(&self, pid: i32) -> f64 {
        self.k.task_info(pid as u32)[1]
    }

    pub fn cpu_time(&self, pid: i32) -> f64 {
        self.k.task_info(pid as u32)[5]
    }

    pub fn mm(&self, handle: u32) -> MmSnap {
        MmSnap::of(&self.k, handle)
    }

    pub fn events(&self) -> Vec<Ev> {
        evs(&self.k)
    }

    pub fn of(&self, kind: Kind) -> Vec<Ev> {
        evs(&self.k)
            .into_iter()
            .filter(|e| e.kind == kind as u8)
            .collect()
    }

    pub fn warns(&self, w: Warn) -> Vec<Ev> {
        self.of(Kind::Warn)
            .into_iter()
            .filter(|e| e.a == w as u8 as f64)
            .collect()
    }
}

/// `mm_info`'s snapshot, by name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmSnap {
    pub users: f64,
    pub count: f64,
    pub flags: u32,
    pub anon: f64,
    pub file: f64,
    pub shmem: f64,
    pub swap: f64,
    pub anon_zapped: f64,
    pub anon_initial: f64,
    pub reclaimable: f64,
    pub vmas: f64,
    /// 0 live, 1 exiting, 2 torn down, 3 freed.
    pub state: f64,
    pub readers: f64,
    pub writer: f64,
    pub waiters: f64,
}

impl MmSnap {
    pub fn of(k: &Kernel, handle: u32) -> MmSnap {
        let v = k.mm_info(handle);
        assert_eq!(v.len(), 15, "mm handle {handle}");
        MmSnap {
            users: v[0],
            count: v[1],
            flags: v[2] as u32,
            anon: v[3],
            file: v[4],
            shmem: v[5],
            swap: v[6],
            anon_zapped: v[7],
            anon_initial: v[8],
            reclaimable: v[9],
            vmas: v[10],
            state: v[11],
            readers: v[12],
            writer: v[13],
            waiters: v[14],
        }
    }
}

/// One event (events.rs layout): time, CPU, the task in whose context, kind, a..d.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ev {
    pub ts: f64,
    pub cpu: f64,
    pub pid: f64,
    pub kind: u8,
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
}

impl Ev {
    pub fn is(&self, kind: Kind) -> bool {
        self.kind == kind as u8
    }
}

pub fn evs(k: &Kernel) -> Vec<Ev> {
    written_out(k)
        .iter()
        .map(|e| Ev {
            ts: e[0],
            cpu: e[1],
            pid: e[2],
            kind: e[3] as u8,
            a: e[4],
            b: e[5],
            c: e[6],
            d: e[7],
        })
        .collect()
}

/// Index of the first event matching `f`.
pub fn pos(events: &[Ev], f: impl Fn(&Ev) -> bool) -> Option<usize> {
    events.iter().position(f)
}

/// Index of the last event matching `f`.
pub fn rpos(events: &[Ev], f: impl Fn(&Ev) -> bool) -> Option<usize> {
    events.iter().rposition(f)
}

// ---- worlds shared by several rule files ----------------------------------------------------

/// A remote writer of the victim's mmap_lock: process 600 (its own mm), in D state on CPU 3
/// until `until_us`, holding the victim's mmap_lock for write (a task stuck in a fault with
/// the lock, say). The victim's exit then waits in exit_mm()'s mmap_read_lock with
/// PF_EXITING set and its mm still attached, a point the tests can look at.
pub const HOLDER: i32 = 600;

pub fn with_remote_writer(sim: Sim, until_us: i32) -> Sim {
    sim.user_process(HOLDER, &[VmaSpec::anon(16)], D)
        .on(3)
        .until_us(until_us)
        .hold(HOLDER, MM_VICTIM, true)
}

/// A victim whose leader (asleep) is killed at once while its two other threads (1001,
/// 1002) are in D state until 500 ms: the leader passes exit_mm and becomes a zombie while
/// the threads still hold the mm. Returns the lab at 100 ms, the caller's segment running.
pub fn zombie_leader_lab(kernel: i32) -> Lab {
    let sim = Sim::new(kernel)
        .victim(&[VmaSpec::anon(64)], S)
        .thread(VICTIM + 1, D)
        .until_us(500_000)
        .thread(VICTIM + 2, D)
        .until_us(500_000);
    let mut lab = sim.lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(100.0 * MS);
    lab.enter();
    assert_eq!(lab.state(VICTIM), ZOMBIE as f64, "the leader has exited");
    assert_eq!(
        lab.state(VICTIM + 1),
        D as f64,
        "the other threads still sleep"
    );
    lab
}
