//! Builds the world from the program the TypeScript loader encodes from a validated
//! scenario (format in docs/scenario-format.md, "World program"). The TypeScript side
//! validates with JSON paths; this re-validates every word, because nothing that reaches
//! the core may make it trap.

use crate::cgroup::{Cgroup, MAX_CGROUPS};
use crate::fd::File;
use crate::frame::{ExitPc, Frame};
use crate::ids::{CpuId, MmId, Pid, Tgid, PID_MAX_LIMIT};
use crate::mm::{Mm, MMF_MULTIPROCESS, MMF_OOM_SKIP, MMF_UNSTABLE};
use crate::params;
use crate::pidns::MAX_PID_NAMESPACES;
use crate::process::{Cred, Process, CAPS_MASK, SIGNAL_GROUP_EXIT, SIGNAL_UNKILLABLE};
use crate::rwsem::LockMode;
use crate::task::{Policy, SleepKind, Task, TaskState, WaitFor, PF_EXITING, PF_KTHREAD};
use crate::version::KernelVersion;
use crate::vma::{
    notifier_from_code, Pages, Vma, VmaKind, NOTIFIERS, VMA_FLAGS_MASK, VMA_THP, VM_HUGETLB,
};
use crate::world::{ScenarioEvent, ScenarioEventKind, Timer, World};

pub const OP_KERNEL: i32 = 1;
pub const OP_CPU: i32 = 2;
pub const OP_MM: i32 = 3;
pub const OP_VMA: i32 = 4;
pub const OP_PROCESS: i32 = 5;
pub const OP_THREAD: i32 = 6;
pub const OP_HOLD: i32 = 7;
pub const OP_FD: i32 = 8;
pub const OP_EVENT: i32 = 9;
pub const OP_CALLER: i32 = 10;
pub const OP_HORIZON: i32 = 11;
pub const OP_CGROUP: i32 = 12;
pub const OP_CGROUP_PROC: i32 = 13;
pub const OP_PIDNS: i32 = 14;
pub const OP_PIDNS_PROC: i32 = 15;

/// Every record: opcode, name, payload length in words. A program lists them in opcode
/// order; `kernel_facts()` hands this table to the TypeScript encoder.
pub const RECORDS: [(i32, &str, i32); 15] = [
    (OP_KERNEL, "KERNEL", 1),
    (OP_CPU, "CPU", 3),
    (OP_MM, "MM", 1),
    (OP_VMA, "VMA", 9),
    (OP_PROCESS, "PROCESS", 9),
    (OP_THREAD, "THREAD", 10),
    (OP_HOLD, "HOLD", 3),
    (OP_FD, "FD", 5),
    (OP_EVENT, "EVENT", 5),
    (OP_CALLER, "CALLER", 1),
    (OP_HORIZON, "HORIZON", 1),
    (OP_CGROUP, "CGROUP", 1),
    (OP_CGROUP_PROC, "CGROUP_PROC", 2),
    (OP_PIDNS, "PIDNS", 1),
    (OP_PIDNS_PROC, "PIDNS_PROC", 2),
];

/// The lab's limits, so a hostile program cannot make the core allocate without bound.
pub const MAX_CPUS: usize = 64;
pub const MAX_VMAS_PER_MM: usize = 4096;
pub const MAX_TASKS: usize = 1 << 20;
pub const MAX_EVENTS: usize = 1 << 16;
/// A CPU's capacity at most (the biggest core's, as the kernel's SCHED_CAPACITY_SCALE).
pub const MAX_CAPACITY: i64 = 1024;
pub const MAX_FREQ_MHZ: i64 = 100_000;
/// Times travel as i32 microseconds, -1 for "none" (2^31 - 1 us is about 35.8 minutes).
pub const MAX_TIME_US: i64 = i32::MAX as i64;
pub const TIME_NONE_US: i64 = -1;
/// A page count travels as one i32 word.
pub const MAX_VMA_PAGES: i64 = i32::MAX as i64;

/// The PROCESS record's flag bits (not kernel flags: how the scenario describes it).
pub const PROCESS_KTHREAD: i32 = 1;
pub const PROCESS_INIT: i32 = 2;
pub const PROCESS_CORE_DUMP: i32 = 4;
pub const PROCESS_PARENT_WAITS: i32 = 8;
pub const PROCESS_VFORK_CHILD: i32 = 16;
pub const PROCESS_FLAGS: [(&str, i32); 5] = [
    ("kthread", PROCESS_KTHREAD),
    ("init", PROCESS_INIT),
    ("core_dump", PROCESS_CORE_DUMP),
    ("parent_waits", PROCESS_PARENT_WAITS),
    ("vfork_child", PROCESS_VFORK_CHILD),
];

/// The PROCESS record's status word, by code.
pub const PROCESS_STATUSES: [&str; 3] = ["alive", "zombie", "reaped"];
const STATUS_ALIVE: u8 = 0;
const STATUS_ZOMBIE: u8 = 1;
const STATUS_REAPED: u8 = 2;

/// The THREAD record's flag bits (how the scenario describes the thread).
pub const THREAD_TRACED_EXIT: i32 = 1;
pub const THREAD_FLAGS: [(&str, i32); 1] = [("traced_exit", THREAD_TRACED_EXIT)];

/// The THREAD record's policy word, by code (SCHED_OTHER with a nice, SCHED_FIFO with an
/// rt priority).
pub const SCHED_POLICIES: [&str; 2] = ["normal", "fifo"];

/// The THREAD record's state word, by code: `ps` letters, then the lab's own states.
pub const THREAD_STATES: [&str; 7] = ["R", "S", "D", "T", "frozen", "zombie", "D_vfork"];
const STATE_R: i64 = 0;
const STATE_S: i64 = 1;
const STATE_D: i64 = 2;
const STATE_T: i64 = 3;
const STATE_FROZEN: i64 = 4;
const STATE_ZOMBIE: i64 = 5;

/// The HOLD record's mode word, by code.
pub const HOLD_MODES: [&str; 2] = ["read", "write"];

/// The FD record's kind word, by code.
pub const FD_KINDS: [&str; 3] = ["pidfd", "proc_dir", "file"];

/// The EVENT record's kind word, by code; the same code is the `event` of a scenario_event
/// in the log, whose `b` and `c` are named here.
pub const SCENARIO_EVENTS: [(&str, &[&str]); 5] = [
    ("proc_reader", &["mm", "done"]),
    ("exit", &["pid"]),
    ("kill", &["tgid", "sig"]),
    ("wake", &["pid"]),
    ("oom_kill", &["tgid", "signalled"]),
];
pub const EVENT_PROC_READER: i64 = 0;
pub const EVENT_EXIT: i64 = 1;
pub const EVENT_KILL: i64 = 2;
pub const EVENT_WAKE: i64 = 3;
pub const EVENT_OOM_KILL: i64 = 4;

/// The largest code of a table indexed by code.
fn max_code<T>(table: &[T]) -> i64 {
    table.len() as i64 - 1
}

pub struct LoadError {
    pub word: usize,
    pub message: String,
}

type R<T> = Result<T, LoadError>;

struct Reader<'a> {
    words: &'a [i32],
    pos: usize,
    record: usize,
    /// Per process: its status (0 alive, 1 zombie, 2 reaped) and mm, until threads load.
    status: Vec<(u8, Option<MmId>)>,
}

impl Reader<'_> {
    fn err<T>(&self, message: impl Into<String>) -> R<T> {
        Err(LoadError {
            word: self.record,
            message: message.into(),
        })
    }

    fn word(&mut self) -> R<i32> {
        match self.words.get(self.pos) {
            Some(w) => {
                self.pos += 1;
                Ok(*w)
            }
            None => self.err("record ends early"),
        }
    }

    fn range(&mut self, what: &str, lo: i64, hi: i64) -> R<i64> {
        let w = self.word()? as i64;
        if w < lo || w > hi {
            return self.err(format!("{what} must be in {lo}..={hi}, got {w}"));
        }
        Ok(w)
    }
}

/// `until_us` / `at_us` words: -1 means none.
fn micros(w: i64) -> Option<u64> {
    (w >= 0).then(|| w as u64 * 1000)
}

impl World {
    pub fn load(&mut self, words: &[i32]) -> R<()> {
        if !self.tasks.is_empty() || !self.cpus.is_empty() {
            return Err(LoadError {
                word: 0,
                message: "a world is already loaded".into(),
            });
        }
        let mut r = Reader {
            words,
            pos: 0,
            record: 0,
            status: Vec::new(),
        };
        let mut last_op = 0;
        let mut holds: Vec<(Pid, MmId, LockMode)> = Vec::new();
        while r.pos < words.len() {
            r.record = r.pos;
            let op = r.word()?;
            let len = r.word()?;
            let Some(&(_, _, expected)) = RECORDS.iter().find(|rec| rec.0 == op) else {
                return r.err(format!("unknown record type {op}"));
            };
            if len != expected {
                return r.err(format!("record type {op} has {expected} words, got {len}"));
            }
            if op < last_op {
                return r.err(format!(
                    "record type {op} after type {last_op}: records must be in order"
                ));
            }
            last_op = op;
            match op {
                OP_KERNEL => {
                    let code = r.word()?;
                    self.version = match KernelVersion::from_code(code) {
                        Some(v) => v,
                        None => return r.err(format!("unknown kernel version code {code}")),
                    };
                }
                OP_CPU => self.load_cpu(&mut r)?,
                OP_MM => {
                    if self.mms.len() >= MAX_TASKS {
                        return r.err("too many mms");
                    }
                    let mut mm = Mm::new(MmId(self.mms.len() as u32));
                    // MMF_ flags history left on the mm: MMF_OOM_SKIP, MMF_UNSTABLE.
                    mm.flags = r.range("mm flags", 0, (MMF_OOM_SKIP | MMF_UNSTABLE) as i64)? as u32;
                    self.mms.push(mm);
                }
                OP_VMA => self.load_vma(&mut r)?,
                OP_PROCESS => self.load_process(&mut r)?,
                OP_THREAD => self.load_thread(&mut r)?,
                OP_HOLD => {
                    let pid = Pid(r.range("pid", 1, PID_MAX_LIMIT as i64)? as u32);
                    let mm = MmId(r.range("mm", 0, self.mms.len() as i64 - 1)? as u32);
                    let mode = if r.range("mode", 0, max_code(&HOLD_MODES))? == 1 {
                        LockMode::Write
                    } else {
                        LockMode::Read
                    };
                    holds.push((pid, mm, mode));
                }
                OP_FD => self.load_fd(&mut r)?,
                OP_EVENT => self.load_event(&mut r)?,
                OP_CALLER => {
                    let pid = Pid(r.range("caller pid", 1, PID_MAX_LIMIT as i64)? as u32);
                    let ok = self
                        .task(pid)
                        .is_some_and(|t| !t.is_kthread() && t.state.is_alive());
                    if !ok {
                        return r.err(format!("caller {} is not a live userspace thread", pid.0));
                    }
                    self.caller = Some(pid);
                }
                OP_HORIZON => {
                    self.horizon_ns = r.range("horizon_us", 1, MAX_TIME_US)? as u64 * 1000
                }
                OP_CGROUP => self.load_cgroup(&mut r)?,
                OP_CGROUP_PROC => self.load_cgroup_proc(&mut r)?,
                OP_PIDNS => self.load_pidns(&mut r)?,
                _ => self.load_pidns_proc(&mut r)?,
            }
        }
        r.record = words.len();
        if self.cpus.is_empty() {
            return r.err("no CPU");
        }
        self.finish_load(&r, &holds)
    }

    /// CGROUP: `[parent]`, the parent's handle (0: the root; else an earlier cgroup's index
    /// + 1, so no program can make a cycle).
    fn load_cgroup(&mut self, r: &mut Reader) -> R<()> {
        if self.cgroups.len() >= MAX_CGROUPS {
            return r.err(format!("at most {MAX_CGROUPS} cgroups"));
        }
        let parent = r.range("cgroup parent", 0, self.cgroups.len() as i64)? as u32;
        self.cgroups.push(Cgroup {
            parent,
            procs: Vec::new(),
        });
        Ok(())
    }

    /// CGROUP_PROC: `[cgroup, tgid]`, the next process of that cgroup's cgroup.procs. A process
    /// is in one cgroup at most; a reaped one has left its cgroup (cgroup_release()).
    fn load_cgroup_proc(&mut self, r: &mut Reader) -> R<()> {
        let c = r.range("cgroup", 1, self.cgroups.len() as i64)? as usize - 1;
        let tgid = Tgid(r.range("tgid", 1, PID_MAX_LIMIT as i64)? as u32);
        let Some(i) = self.proc_index(tgid) else {
            return r.err(format!("cgroup member {} is no process", tgid.0));
        };
        if r.status.get(i).is_some_and(|s| s.0 == STATUS_REAPED) {
            return r.err(format!("cgroup member {} was reaped", tgid.0));
        }
        if self.proc_cgroup.len() < self.procs.len() {
            self.proc_cgroup.resize(self.procs.len(), 0);
        }
        match self.proc_cgroup.get_mut(i) {
            Some(h) if *h == 0 => *h = c as u32 + 1,
            _ => return r.err(format!("process {} is in two cgroups", tgid.0)),
        }
        if let Some(g) = self.cgroups.get_mut(c) {
            g.procs.push(tgid);
        }
        Ok(())
    }

    /// PIDNS: `[parent]`, the parent's handle (0: init_pid_ns; else an earlier namespace's
    /// index + 1, so no program can make a cycle).
    fn load_pidns(&mut self, r: &mut Reader) -> R<()> {
        if self.pid_namespaces.len() >= MAX_PID_NAMESPACES {
            return r.err(format!("at most {MAX_PID_NAMESPACES} pid namespaces"));
        }
        let parent = r.range("pid namespace parent", 0, self.pid_namespaces.len() as i64)?;
        self.pid_namespaces.push(parent as u32);
        Ok(())
    }

    /// PIDNS_PROC: `[ns, tgid]`, a process whose active pid namespace is `ns` (one at most;
    /// a reaped process's struct pid keeps its namespace, so it may be listed too).
    fn load_pidns_proc(&mut self, r: &mut Reader) -> R<()> {
        let ns = r.range("pid namespace", 1, self.pid_namespaces.len() as i64)? as u32;
        let tgid = Tgid(r.range("tgid", 1, PID_MAX_LIMIT as i64)? as u32);
        let Some(i) = self.proc_index(tgid) else {
            return r.err(format!("pid namespace member {} is no process", tgid.0));
        };
        if self.proc_pidns.len() < self.procs.len() {
            self.proc_pidns.resize(self.procs.len(), 0);
        }
        match self.proc_pidns.get_mut(i) {
            Some(h) if *h == 0 => *h = ns,
            _ => return r.err(format!("process {} is in two pid namespaces", tgid.0)),
        }
        Ok(())
    }

    /// MMF_MULTIPROCESS for every mm that two processes use and a vfork does not explain:
    /// one of them was cloned with CLONE_VM alone (kernel/fork.c `copy_oom_score_adj()`;
    /// a vfork child does not set the flag). A world states who uses an mm now, not its
    /// history, so an mm whose CLONE_VM sharer has already exited starts without it.
    fn set_multiprocess_at_load(&mut self) {
        let mut sharers = vec![0u32; self.mms.len()];
        for p in &self.procs {
            let mm = p
                .threads
                .iter()
                .filter_map(|t| self.task(*t))
                .find_map(|t| t.mm);
            if let (Some(mm), false) = (mm, p.vfork_child) {
                if let Some(n) = sharers.get_mut(mm.0 as usize) {
                    *n += 1;
                }
            }
        }
        for (m, n) in self.mms.iter_mut().zip(sharers) {
            if n >= 2 {
                m.flags |= MMF_MULTIPROCESS;
            }
        }
    }

    fn load_cpu(&mut self, r: &mut Reader) -> R<()> {
        if self.cpus.len() >= MAX_CPUS {
            return r.err(format!("at most {MAX_CPUS} CPUs"));
        }
        let capacity = r.range("capacity", 1, MAX_CAPACITY)? as u32;
        let freq = r.range("freq_mhz", 1, MAX_FREQ_MHZ)?;
        let freq_mhz = freq as u32;
        let max_freq_mhz = r.range("max_freq_mhz", freq, MAX_FREQ_MHZ)? as u32;
        self.cpus.push(crate::world::Cpu {
            capacity,
            freq_mhz,
            max_freq_mhz,
            speed_ppm: params::cpu_speed_ppm(capacity, freq_mhz, max_freq_mhz),
            current: None,
            busy_until_ns: 0,
            rq: Default::default(),
        });
        Ok(())
    }

    fn load_vma(&mut self, r: &mut Reader) -> R<()> {
        let mm = r.range("mm", 0, self.mms.len() as i64 - 1)? as usize;
        let kind = r.word()?;
        let Some(kind) = VmaKind::from_code(kind) else {
            return r.err(format!("unknown VMA kind {kind}"));
        };
        let flags = r.range("vma flags", 0, VMA_FLAGS_MASK as i64)? as u32;
        let (notifier_refuses_nonblock, notifier_on_hlist) =
            notifier_from_code(r.range("notifier", 0, max_code(&NOTIFIERS))? as usize);
        let size = r.range("size_pages", 1, MAX_VMA_PAGES)? as u64;
        let pages = Pages {
            anon: r.range("anon_pages", 0, size as i64)? as u64,
            file: r.range("file_pages", 0, size as i64)? as u64,
            shmem: r.range("shmem_pages", 0, size as i64)? as u64,
            swap: r.range("swap_entries", 0, size as i64)? as u64,
        };
        if pages.anon + pages.file + pages.shmem > size {
            return r.err("resident pages exceed the VMA size");
        }
        if flags & VMA_THP != 0 {
            thp_shape(kind, flags, size, &pages).or_else(|e| r.err(e))?;
        }
        let m = &mut self.mms[mm];
        if m.vmas.len() >= MAX_VMAS_PER_MM {
            return r.err(format!("at most {MAX_VMAS_PER_MM} VMAs per mm"));
        }
        // Lay VMAs out in order with a one-page gap, as mmap would (the gap keeps them
        // from merging).
        let start_page = m.vmas.last().map(|v| v.end_page() + 1).unwrap_or(0x10);
        // A THP VMA starts on a PMD boundary, as the calibration's mapping does.
        let start_page = if flags & VMA_THP != 0 {
            start_page.next_multiple_of(params::HPAGE_PMD_NR)
        } else {
            start_page
        };
        m.vmas.push(Vma {
            start_page,
            size_pages: size,
            kind,
            flags,
            notifier_refuses_nonblock,
            notifier_on_hlist,
            mapped: pages,
            zapped: Pages::default(),
            thp_split_pmds: 0,
            thp_pte_pages: 0,
        });
        m.initial.add(pages);
        Ok(())
    }

    fn load_process(&mut self, r: &mut Reader) -> R<()> {
        let tgid = Tgid(r.range("tgid", 1, PID_MAX_LIMIT as i64)? as u32);
        if self.process(tgid).is_some() {
            return r.err(format!("tgid {} defined twice", tgid.0));
        }
        let parent = r.range("parent", 0, PID_MAX_LIMIT as i64)? as u32;
        let mm = r.range("mm", -1, self.mms.len() as i64 - 1)?;
        let uid = r.word()? as u32;
        let euid = r.word()? as u32;
        let caps = r.range("caps", 0, CAPS_MASK as i64)? as u32;
        let all_flags = PROCESS_FLAGS.iter().fold(0, |all, &(_, bit)| all | bit);
        let pflags = r.range("process flags", 0, all_flags as i64)? as i32;
        let status = r.range("status", 0, max_code(&PROCESS_STATUSES))? as u8;
        let pgid = Tgid(r.range("pgid", 1, PID_MAX_LIMIT as i64)? as u32);
        let kthread = pflags & PROCESS_KTHREAD != 0;
        // A zombie or reaped process has no mm left; a live userspace process has one.
        if (kthread && mm >= 0) || (!kthread && status == STATUS_ALIVE && mm < 0) {
            return r.err("a kthread has no mm and every live userspace process has one");
        }
        if pflags & PROCESS_INIT != 0 && tgid.0 != 1 {
            return r.err("only tgid 1 can be init");
        }
        if self.procs.len() >= MAX_TASKS {
            return r.err("too many processes");
        }
        let mut signal_flags = if pflags & PROCESS_INIT != 0 {
            SIGNAL_UNKILLABLE
        } else {
            0
        };
        let core_dump = pflags & PROCESS_CORE_DUMP != 0;
        if core_dump {
            signal_flags |= SIGNAL_GROUP_EXIT;
        }
        self.add_process(Process {
            tgid,
            parent: (parent != 0).then_some(Tgid(parent)),
            threads: Vec::new(),
            live_threads: 0,
            cred: Cred { uid, euid, caps },
            signal_flags,
            core_state: core_dump,
            signal_group_coredump: core_dump,
            pgid,
            kthread,
            parent_waits: pflags & PROCESS_PARENT_WAITS != 0,
            vfork_child: pflags & PROCESS_VFORK_CHILD != 0,
            sigkill_queued: false,
            oom_mm: None,
            exit_code: crate::wait::loaded_exit_code(status != STATUS_ALIVE, core_dump),
            fds: Default::default(),
        });
        r.status
            .push((status, (mm >= 0).then_some(MmId(mm as u32))));
        Ok(())
    }

    fn load_thread(&mut self, r: &mut Reader) -> R<()> {
        if self.tasks.len() >= MAX_TASKS {
            return r.err("too many threads");
        }
        let pid = Pid(r.range("pid", 1, PID_MAX_LIMIT as i64)? as u32);
        let tgid = Tgid(r.range("tgid", 1, PID_MAX_LIMIT as i64)? as u32);
        if self.task(pid).is_some() {
            return r.err(format!("pid {} defined twice", pid.0));
        }
        let Some(pi) = self.proc_index(tgid) else {
            return r.err(format!("thread {} of unknown process {}", pid.0, tgid.0));
        };
        if self.procs[pi].threads.is_empty() != (pid.0 == tgid.0) {
            return r.err(format!(
                "the first thread of process {} must be its leader (pid = tgid)",
                tgid.0
            ));
        }
        let cpu = CpuId(r.range("cpu", 0, self.cpus.len() as i64 - 1)? as u32);
        let lo = r.word()? as u32 as u64;
        let hi = r.word()? as u32 as u64;
        let all = if self.cpus.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.cpus.len()) - 1
        };
        let affinity = (lo | (hi << 32)) & all;
        if (affinity >> cpu.0) & 1 == 0 {
            return r.err(format!(
                "affinity of pid {} does not contain its cpu {}",
                pid.0, cpu.0
            ));
        }
        let policy = match r.range("policy", 0, max_code(&SCHED_POLICIES))? {
            0 => Policy::Normal {
                nice: r.range("nice", -20, 19)? as i32,
            },
            _ => Policy::Fifo {
                rt_prio: r.range("rt_prio", 1, 99)? as i32,
            },
        };
        let state = r.range("state", 0, max_code(&THREAD_STATES))?;
        let until = micros(r.range("until_us", TIME_NONE_US, MAX_TIME_US)?);
        let tflags = r.range("thread flags", 0, THREAD_TRACED_EXIT as i64)? as i32;
        // One status entry per process, in the order of the process records.
        let (status, mm) = r
            .status
            .get(pi)
            .map(|s| (s.0, s.1))
            .unwrap_or((STATUS_ALIVE, None));
        if status == STATUS_REAPED {
            return r.err(format!(
                "process {} was already reaped: it has no threads",
                tgid.0
            ));
        }
        // A live process may have zombie threads (a zombie leader whose threads still run).
        if status == STATUS_ZOMBIE && state != STATE_ZOMBIE {
            return r.err(format!(
                "pid {}: a zombie process has only zombie threads",
                pid.0
            ));
        }
        let mut t = Task::new(pid, tgid, cpu, affinity, policy);
        t.frames.push(Frame::User);
        t.ptrace_exit = tflags & THREAD_TRACED_EXIT != 0;
        if t.ptrace_exit && self.procs[pi].kthread {
            return r.err(format!("pid {}: a kthread cannot be traced", pid.0));
        }
        if self.procs[pi].kthread {
            t.flags |= PF_KTHREAD;
        }
        t.mm = if state == STATE_ZOMBIE { None } else { mm };
        t.state = match state {
            STATE_R => TaskState::Runnable,
            STATE_S => TaskState::Sleeping {
                kind: SleepKind::Interruptible,
                waiting: WaitFor::Plain,
            },
            STATE_D => TaskState::Sleeping {
                kind: SleepKind::Uninterruptible,
                waiting: WaitFor::Plain,
            },
            STATE_T => TaskState::Stopped,
            STATE_FROZEN => TaskState::Frozen,
            // A thread other than the leader is released as soon as it exits (threads
            // autoreap): only a zombie leader stays a zombie.
            STATE_ZOMBIE => {
                t.flags |= PF_EXITING;
                t.frames.clear();
                if pid.0 == tgid.0 {
                    TaskState::Zombie
                } else {
                    TaskState::Dead
                }
            }
            // D_vfork
            _ => TaskState::Sleeping {
                kind: SleepKind::Killable,
                waiting: WaitFor::VforkDone,
            },
        };
        if until.is_some() && !matches!(state, STATE_S | STATE_D) {
            return r.err(format!("pid {}: until_us only for S and D sleeps", pid.0));
        }
        t.sleep_until_ns = until;
        self.procs[pi].threads.push(pid);
        if t.state.is_alive() {
            self.procs[pi].live_threads += 1;
        }
        self.add_task(t);
        Ok(())
    }

    fn load_fd(&mut self, r: &mut Reader) -> R<()> {
        let owner = Tgid(r.range("fd owner", 1, PID_MAX_LIMIT as i64)? as u32);
        let fd = r.range("fd", 0, crate::fd::FD_LIMIT as i64 - 1)? as i32;
        let kind = r.range("fd kind", 0, max_code(&FD_KINDS))?;
        let target = r.range("fd target", 0, PID_MAX_LIMIT as i64)? as u32;
        // The pidfd's f_flags: bit 0 PIDFD_NONBLOCK, bit 1 PIDFD_THREAD.
        let pidfd_flags = r.range("pidfd flags", 0, 3)?;
        let thread = pidfd_flags & 2 != 0;
        if thread && !(kind == 0 && self.version.pidfd_thread()) {
            return r.err(format!(
                "fd {fd}: PIDFD_THREAD needs a pidfd on a kernel with it (v6.9+)"
            ));
        }
        // A thread pidfd names any thread (pidfd_prepare with PIDFD_THREAD checks
        // PIDTYPE_PID); every other fd a process.
        let known = if thread {
            self.task(Pid(target)).is_some()
        } else {
            kind == 2 || self.process(Tgid(target)).is_some()
        };
        if !known {
            return r.err(format!("fd {fd} names unknown process {target}"));
        }
        let file = match kind {
            0 => File::Pidfd {
                pid: Pid(target),
                nonblock: pidfd_flags & 1 != 0,
                thread,
            },
            1 => File::ProcDir { tgid: Tgid(target) },
            _ => File::Other,
        };
        let Some(p) = self.process_mut(owner) else {
            return r.err(format!("fd owner {} unknown", owner.0));
        };
        if p.kthread || !p.fds.install_at(fd, file) {
            return r.err(format!(
                "fd {fd} of process {} is taken or the owner is a kthread",
                owner.0
            ));
        }
        Ok(())
    }

    fn load_event(&mut self, r: &mut Reader) -> R<()> {
        if self.scenario_events.len() >= MAX_EVENTS {
            return r.err("too many events");
        }
        let at_ns = r.range("at_us", 0, MAX_TIME_US)? as u64 * 1000;
        let kind = r.range("event kind", 0, max_code(&SCENARIO_EVENTS))?;
        let a = r.word()?;
        let b = r.word()?;
        let c = r.word()?;
        let task_ok = |w: &World, pid: i32| pid > 0 && w.task(Pid(pid as u32)).is_some();
        let kind = match kind {
            EVENT_PROC_READER => {
                if a < 0 || a as usize >= self.mms.len() || b < 0 || !task_ok(self, c) {
                    return r.err("proc_reader needs an mm, a duration >= 0 and a reader thread");
                }
                ScenarioEventKind::ProcReader {
                    mm: MmId(a as u32),
                    duration_ns: b as u64 * 1000,
                    reader: Pid(c as u32),
                }
            }
            EVENT_EXIT => {
                if !task_ok(self, a) {
                    return r.err(format!("exit event names unknown pid {a}"));
                }
                ScenarioEventKind::Exit { pid: Pid(a as u32) }
            }
            EVENT_KILL => {
                if a <= 0
                    || self.process(Tgid(a as u32)).is_none()
                    || !crate::signal::signal_supported(b)
                    || !task_ok(self, c)
                {
                    return r.err("kill needs a known target process, a supported signal (0, 9, 15, 18, 19) and a sender thread");
                }
                ScenarioEventKind::Kill {
                    target: Tgid(a as u32),
                    sig: b,
                    from: Pid(c as u32),
                }
            }
            EVENT_OOM_KILL => {
                if a <= 0 || self.process(Tgid(a as u32)).is_none() || !task_ok(self, c) {
                    return r
                        .err("oom_kill needs a known victim process and a thread that hit OOM");
                }
                ScenarioEventKind::OomKill {
                    victim: Tgid(a as u32),
                    from: Pid(c as u32),
                }
            }
            _ => {
                if !task_ok(self, a) {
                    return r.err(format!("wake event names unknown pid {a}"));
                }
                ScenarioEventKind::Wake { pid: Pid(a as u32) }
            }
        };
        self.scenario_events.push(ScenarioEvent { at_ns, kind });
        Ok(())
    }

    /// Reference counts, lock holders, run queues and timers, once everything is known.
    fn finish_load(&mut self, r: &Reader, holds: &[(Pid, MmId, LockMode)]) -> R<()> {
        if let Some(why) = crate::variant::refuse(self.kernel_variants, self.version) {
            return r.err(why);
        }
        for i in 0..self.procs.len() {
            let tgid = self.procs[i].tgid;
            let status = r.status.get(i).map(|s| s.0).unwrap_or(STATUS_ALIVE);
            if status != STATUS_REAPED && self.procs[i].threads.is_empty() {
                return r.err(format!("process {} has no thread", tgid.0));
            }
            let any_alive = self.procs[i]
                .threads
                .iter()
                .any(|t| self.task(*t).is_some_and(|t| t.state.is_alive()));
            if status == STATUS_ALIVE && !any_alive {
                return r.err(format!(
                    "process {} is alive but all its threads are zombies: give it status zombie",
                    tgid.0
                ));
            }
            if let Some(parent) = self.procs[i].parent {
                if self.process(parent).is_none() {
                    return r.err(format!(
                        "process {} has unknown parent {}",
                        tgid.0, parent.0
                    ));
                }
            }
        }
        for i in 0..self.tasks.len() {
            if let Some(mm) = self.tasks[i].mm {
                self.mms[mm.0 as usize].users += 1;
            }
        }
        for (k, m) in self.mms.iter().enumerate() {
            if m.users == 0 {
                return r.err(format!("mm {k} is used by no live thread"));
            }
        }
        self.set_multiprocess_at_load();
        for &(pid, mm, mode) in holds {
            let Some(t) = self.task(pid) else {
                return r.err(format!("lock holder {} unknown", pid.0));
            };
            if !matches!(
                t.state,
                TaskState::Sleeping {
                    kind: SleepKind::Uninterruptible,
                    ..
                }
            ) {
                return r.err(format!("lock holder {} must be in D state", pid.0));
            }
            let m = &mut self.mms[mm.0 as usize];
            if !m.lock.can_grant_now(mode) {
                return r.err(format!(
                    "mmap_lock of mm {} cannot be held that way twice",
                    mm.0
                ));
            }
            m.lock.take(pid, mode);
            if let Some(t) = self.task_mut(pid) {
                t.held.push((mm, mode));
                t.frames.push(Frame::ReleaseHeld);
            }
        }
        self.setup_core_dumps();
        for i in 0..self.tasks.len() {
            let (pid, state, until, gen) = {
                let t = &self.tasks[i];
                (t.pid, t.state, t.sleep_until_ns, t.sleep_gen)
            };
            if state == TaskState::Runnable {
                let c = self.tasks[i].cpu;
                self.enqueue(c, pid);
            }
            if let Some(at) = until {
                self.add_timer(at, Timer::Wake { pid, gen });
            }
        }
        for index in 0..self.scenario_events.len() {
            let at = self.scenario_events[index].at_ns;
            self.add_timer(at, Timer::Scenario { index });
        }
        self.spawn_oom_reaper();
        Ok(())
    }

    /// A dumping process (§B.2 rule 1): its first thread in a timed D sleep is the dumper,
    /// finishing the dump when it wakes; the others already entered do_exit and wait in
    /// coredump_task_exit() with the mm still attached.
    fn setup_core_dumps(&mut self) {
        for pi in 0..self.procs.len() {
            if !self.procs[pi].core_state {
                continue;
            }
            let threads = self.procs[pi].threads.clone();
            let dumper = threads.iter().copied().find(|p| {
                self.task(*p).is_some_and(|t| {
                    t.sleep_until_ns.is_some()
                        && matches!(
                            t.state,
                            TaskState::Sleeping {
                                kind: SleepKind::Uninterruptible,
                                ..
                            }
                        )
                })
            });
            for p in threads {
                let Some(t) = self.task_mut(p) else { continue };
                if !t.state.is_alive() {
                    continue;
                }
                t.sigkill_pending = true;
                if Some(p) == dumper {
                    t.frames.push(Frame::CoreDumpDone);
                } else {
                    t.flags |= PF_EXITING;
                    t.frames = vec![Frame::Exit(ExitPc::MmRelease)];
                    t.state = TaskState::Sleeping {
                        kind: SleepKind::Uninterruptible,
                        waiting: WaitFor::CoreDump,
                    };
                    t.sleep_until_ns = None;
                }
            }
        }
    }

    pub fn fire_scenario_event(&mut self, index: usize) {
        let Some(ev) = self.scenario_events.get(index).copied() else {
            return;
        };
        match ev.kind {
            ScenarioEventKind::ProcReader {
                mm,
                duration_ns,
                reader,
            } => {
                self.emit(
                    reader,
                    crate::events::Kind::ScenarioEvent,
                    EVENT_PROC_READER,
                    mm.0 as i64,
                    0,
                    0,
                );
                // get_task_mm() fails once the task has no mm; mm_users > 0 is the same test.
                if self.mmget_not_zero(reader, mm) {
                    self.add_timer(
                        self.now_ns + duration_ns,
                        Timer::ProcReaderDone { mm, reader },
                    );
                }
            }
            ScenarioEventKind::Exit { pid } => {
                self.emit(
                    pid,
                    crate::events::Kind::ScenarioEvent,
                    EVENT_EXIT,
                    pid.0 as i64,
                    0,
                    0,
                );
                let alive = self
                    .task(pid)
                    .is_some_and(|t| t.state.is_alive() && t.flags & PF_EXITING == 0);
                if alive {
                    self.do_group_exit(pid);
                }
            }
            ScenarioEventKind::Kill { target, sig, from } => {
                self.emit(
                    from,
                    crate::events::Kind::ScenarioEvent,
                    EVENT_KILL,
                    target.0 as i64,
                    sig as i64,
                    0,
                );
                self.kill_pid_info(crate::signal::Sender::Task(from), sig, target);
            }
            ScenarioEventKind::OomKill { victim, from } => {
                let signalled = self.oom_kill_event(from, victim);
                self.emit(
                    from,
                    crate::events::Kind::ScenarioEvent,
                    EVENT_OOM_KILL,
                    victim.0 as i64,
                    signalled as i64,
                    0,
                );
            }
            ScenarioEventKind::Wake { pid } => {
                self.emit(
                    pid,
                    crate::events::Kind::ScenarioEvent,
                    EVENT_WAKE,
                    pid.0 as i64,
                    0,
                    0,
                );
                let plain = self.task(pid).is_some_and(|t| {
                    matches!(
                        t.state,
                        TaskState::Sleeping {
                            waiting: WaitFor::Plain,
                            ..
                        }
                    )
                });
                if plain {
                    self.wake(pid, Pid(0));
                }
            }
        }
    }
}

/// A THP VMA as the lab models it: private anon, not hugetlb, no swap entries, and its size
/// and resident pages whole PMDs (a huge page is resident or not as a whole).
fn thp_shape(kind: VmaKind, flags: u32, size: u64, pages: &Pages) -> Result<(), String> {
    if kind != VmaKind::Anon || flags & VM_HUGETLB != 0 {
        return Err("a THP VMA must be private anon without VM_HUGETLB".into());
    }
    if !size.is_multiple_of(params::HPAGE_PMD_NR)
        || !pages.anon.is_multiple_of(params::HPAGE_PMD_NR)
        || pages.swap != 0
    {
        return Err(format!(
            "a THP VMA's size and resident pages must be multiples of {} pages, with no swap",
            params::HPAGE_PMD_NR
        ));
    }
    Ok(())
}
