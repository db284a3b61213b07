//! The `Kernel` boundary (abi.rs): every method checks its arguments and answers a negative
//! errno instead of trapping; load_world re-validates every word; the kernel stays usable.

use super::*;
use crate::mm::MMF_OOM_SKIP;
use crate::prims::{WEXITED, WNOHANG};
use crate::process::CAP_KILL;

/// The base world with a victim (pid 1000, with a second thread 1001) and a pidfd to it as
/// the killer's fd 3.
fn boundary_sim() -> Sim {
    Sim::new(618)
        .victim(&[VmaSpec::anon(64)], S)
        .thread(VICTIM + 1, S)
        .fd(KILLER, 3, FD_PIDFD, VICTIM)
}

/// Asserts every answer is a negative errno, naming the calls that are not.
fn assert_all_negative(answers: &[(&str, i32)]) {
    let bad: Vec<_> = answers.iter().filter(|(_, r)| *r >= 0).collect();
    assert!(bad.is_empty(), "answered without an errno: {bad:?}");
}

/// Every method that takes `cur`, with arguments that would be valid for the running caller.
fn every_cur_call(k: &mut Kernel, cur: u32) -> Vec<(&'static str, i32)> {
    let (v, t, h) = (VICTIM, VICTIM as u32, H_VICTIM);
    vec![
        ("syscall_enter", k.syscall_enter(cur, 62, v, SIGKILL)),
        ("syscall_exit", k.syscall_exit(cur, 62, 0)),
        ("pidfd_open", k.pidfd_open(cur, v, 0)),
        ("pidfd_send_signal", k.pidfd_send_signal(cur, 3, SIGKILL, 0)),
        ("kill", k.kill(cur, v, SIGKILL)),
        ("waitid_pidfd", k.waitid_pidfd(cur, 3, WEXITED | WNOHANG)),
        ("pidfd_poll", k.pidfd_poll(cur, 3)),
        ("oom_kill_process", k.oom_kill_process(cur, v)),
        ("pidfd_get_pid", k.pidfd_get_pid(cur, 3)),
        ("pidfd_to_pid", k.pidfd_to_pid(cur, 3)),
        ("pidfd_nonblock", k.pidfd_nonblock(cur, 3)),
        ("get_pid_task", k.get_pid_task(cur, v, 1)),
        ("put_task_struct", k.put_task_struct(cur, t)),
        ("task_lock", k.task_lock(cur, t)),
        ("task_unlock", k.task_unlock(cur, t)),
        ("find_lock_task_mm", k.find_lock_task_mm(cur, t)),
        ("mm_ref", k.mm_ref(cur, h, 0)),
        ("task_will_free_mem", k.task_will_free_mem(cur, t)),
        ("__task_will_free_mem", k.__task_will_free_mem(cur, t)),
        ("mm_flag set", k.mm_flag(cur, h, MMF_OOM_SKIP, 1)),
        ("mmap_lock", k.mmap_lock(cur, h, 0, 0)),
        ("mmap_unlock", k.mmap_unlock(cur, h, 0)),
        ("oom_reap_task_mm", k.oom_reap_task_mm(cur, h)),
        ("zap_range", k.zap_range(cur, h, 0.0, 64.0)),
        ("kill_pid_info", k.kill_pid_info(cur, SIGKILL, v)),
        ("mark_oom_victim", k.mark_oom_victim(cur, t)),
        ("queue_oom_reaper", k.queue_oom_reaper(cur, t, 0)),
        ("capable", k.capable(cur, CAP_KILL)),
        ("ptrace_may_access", k.ptrace_may_access(cur, t, 0)),
        ("close", k.close(cur, 3)),
        ("ext_yield", k.ext_yield(cur)),
        ("ext_end", k.ext_end(cur)),
    ]
}

/// abi.rs: `cur` must be the external task whose segment runs now. Outside any segment, and
/// during the caller's segment for any other task, every such method answers -EINVAL and
/// changes nothing.
#[test]
fn cur_that_is_not_the_running_external_task_is_einval() {
    let mut lab = boundary_sim().lab(1);
    let events = lab.k.event_count();
    let outside = every_cur_call(&mut lab.k, KILLER as u32);
    assert!(outside.iter().all(|(_, r)| *r == -EINVAL), "{outside:?}");
    lab.enter();
    let events = lab.k.event_count().max(events);
    for cur in [VICTIM as u32, 0, u32::MAX, lab.k.oom_reaper_pid()] {
        let answers = every_cur_call(&mut lab.k, cur);
        assert!(
            answers.iter().all(|(_, r)| *r == -EINVAL),
            "cur {cur}: {answers:?}"
        );
    }
    assert_eq!(lab.k.event_count(), events, "nothing happened");
    assert_eq!(lab.k.signal_group_exit(VICTIM as u32), 0);
    assert_eq!(lab.k.check_invariants(), 0);
}

/// abi.rs: garbage integers (u32::MAX, 0, negative, out-of-range codes) in every argument
/// position answer a negative errno, during a valid segment. (syscall_enter/exit are
/// tracepoints that record any numbers; only their `cur` is checked, above. An unknown tgid
/// for process_shares_mm has its own test below.)
#[test]
fn garbage_integers_answer_negative_errno() {
    let mut lab = boundary_sim().lab(1);
    lab.enter();
    let (me, h, v, t) = (lab.me, H_VICTIM, VICTIM, VICTIM as u32);
    let k = &mut lab.k;
    let answers = vec![
        ("pidfd_open -1", k.pidfd_open(me, -1, 0)),
        ("pidfd_open MAX", k.pidfd_open(me, i32::MAX, 0)),
        ("pidfd_open flags", k.pidfd_open(me, v, i32::MIN)),
        ("close -1", k.close(me, -1)),
        ("close MAX", k.close(me, i32::MAX)),
        (
            "pidfd_send_signal fd",
            k.pidfd_send_signal(me, -1, SIGKILL, 0),
        ),
        (
            "pidfd_send_signal sig",
            k.pidfd_send_signal(me, 3, i32::MAX, 0),
        ),
        (
            "pidfd_send_signal flags",
            k.pidfd_send_signal(me, 3, SIGKILL, -1),
        ),
        ("kill 0", k.kill(me, 0, SIGKILL)),
        ("kill -1", k.kill(me, -1, SIGKILL)),
        ("kill MAX", k.kill(me, i32::MAX, SIGKILL)),
        ("kill sig", k.kill(me, v, 12345)),
        ("waitid fd", k.waitid_pidfd(me, -1, WEXITED | WNOHANG)),
        ("waitid options", k.waitid_pidfd(me, 3, -1)),
        ("pidfd_poll", k.pidfd_poll(me, i32::MIN)),
        ("oom_kill_process 0", k.oom_kill_process(me, 0)),
        ("oom_kill_process MAX", k.oom_kill_process(me, i32::MAX)),
        ("pidfd_get_pid", k.pidfd_get_pid(me, -1)),
        ("pidfd_to_pid", k.pidfd_to_pid(me, i32::MAX)),
        ("pidfd_nonblock", k.pidfd_nonblock(me, 1023)),
        ("get_pid_task 0", k.get_pid_task(me, 0, 0)),
        ("get_pid_task MAX", k.get_pid_task(me, i32::MAX, 0)),
        ("get_pid_task type", k.get_pid_task(me, v, 2)),
        ("get_pid_task type -1", k.get_pid_task(me, v, -1)),
        ("put_task_struct", k.put_task_struct(me, u32::MAX)),
        ("task_lock", k.task_lock(me, 0)),
        ("task_unlock", k.task_unlock(me, u32::MAX)),
        ("task_unlock not held", k.task_unlock(me, t)),
        ("find_lock_task_mm", k.find_lock_task_mm(me, u32::MAX)),
        ("task_mm", k.task_mm(u32::MAX)),
        ("task_tgid", k.task_tgid(0)),
        ("task_flags", k.task_flags(u32::MAX)),
        ("mm_ref NULL", k.mm_ref(me, 0, 0)),
        ("mm_ref MAX", k.mm_ref(me, u32::MAX, 2)),
        ("mm_ref op", k.mm_ref(me, h, 5)),
        ("mm_ref op -1", k.mm_ref(me, h, -1)),
        ("task_will_free_mem", k.task_will_free_mem(me, u32::MAX)),
        ("__task_will_free_mem", k.__task_will_free_mem(me, 0)),
        ("process_shares_mm mm", k.process_shares_mm(t, 0)),
        ("signal_group_exit", k.signal_group_exit(u32::MAX)),
        ("fatal_signal_pending", k.fatal_signal_pending(0)),
        ("mm_flag bit 0", k.mm_flag(me, h, 0, 0)),
        ("mm_flag two bits", k.mm_flag(me, h, 3, 0)),
        ("mm_flag unknown bit", k.mm_flag(me, h, 1 << 31, 1)),
        ("mm_flag op", k.mm_flag(me, h, MMF_OOM_SKIP, 7)),
        ("mm_flag mm", k.mm_flag(me, u32::MAX, MMF_OOM_SKIP, 0)),
        ("mmap_lock mm", k.mmap_lock(me, 0, 0, 0)),
        ("mmap_lock mode", k.mmap_lock(me, h, 2, 0)),
        ("mmap_lock write trylock", k.mmap_lock(me, h, 1, 2)),
        ("mmap_lock how", k.mmap_lock(me, h, 0, -1)),
        ("mmap_unlock not held", k.mmap_unlock(me, h, 0)),
        ("mmap_unlock mm", k.mmap_unlock(me, u32::MAX, 1)),
        ("oom_reap_task_mm", k.oom_reap_task_mm(me, 0)),
        ("zap_range mm", k.zap_range(me, u32::MAX, 0.0, 1.0)),
        ("zap_range negative", k.zap_range(me, h, -1.0, 5.0)),
        ("zap_range reversed", k.zap_range(me, h, 5.0, 1.0)),
        ("kill_pid_info sig", k.kill_pid_info(me, 12345, v)),
        ("kill_pid_info pid", k.kill_pid_info(me, SIGKILL, 0)),
        ("capable 0", k.capable(me, 0)),
        ("capable two caps", k.capable(me, 3)),
        ("capable MAX", k.capable(me, u32::MAX)),
        (
            "ptrace_may_access task",
            k.ptrace_may_access(me, u32::MAX, 0),
        ),
        ("ptrace_may_access mode", k.ptrace_may_access(me, t, 2)),
        (
            "check_kill_permission sender",
            k.check_kill_permission(u32::MAX, t),
        ),
        (
            "check_kill_permission tgid",
            k.check_kill_permission(me, u32::MAX),
        ),
        (
            "check_ptrace_permission tracer",
            k.check_ptrace_permission(u32::MAX, t, 0),
        ),
        (
            "check_ptrace_permission mode",
            k.check_ptrace_permission(me, t, 2),
        ),
        ("ext_start unknown", k.ext_start(u32::MAX)),
        ("ext_start 0", k.ext_start(0)),
        ("ext_start kthread", k.ext_start(k.oom_reaper_pid())),
        ("ext_start twice", k.ext_start(me)),
        ("run during a segment", k.run(1e9)),
    ];
    assert_all_negative(&answers);
    assert_eq!(lab.k.take_result(u32::MAX), -ESRCH as f64);
    assert!(lab.k.task_info(u32::MAX).is_empty() && lab.k.task_info(0).is_empty());
    assert!(lab.k.mm_info(0).is_empty() && lab.k.mm_info(u32::MAX).is_empty());
    assert!(lab.k.events(u32::MAX).is_empty());
    assert_eq!(
        lab.k.signal_group_exit(t),
        0,
        "no garbage call killed anyone"
    );
    assert_eq!(lab.k.check_invariants(), 0);
}

/// abi.rs: check_kill_permission asks kill_pid_info's rule and sends nothing: the killer
/// (CAP_KILL) may signal the victim, the victim (another uid, no capability) may not signal
/// the killer, and without CAP_KILL the killer may not either; kill_pid_info agrees.
#[test]
fn check_kill_permission_is_the_kill_rule_without_the_signal() {
    let lab = boundary_sim().lab(1);
    let (me, t) = (lab.me, VICTIM as u32);
    let events = lab.k.event_count();
    assert_eq!(lab.k.check_kill_permission(me, t), 1);
    assert_eq!(lab.k.check_kill_permission(t, KILLER as u32), 0);
    assert_eq!(lab.k.event_count(), events, "nothing was sent");
    assert_eq!(lab.k.signal_group_exit(t), 0);

    let mut bare = boundary_sim()
        .creds_of(KILLER, KILLER_UID, KILLER_UID, 0)
        .lab(1);
    assert_eq!(bare.k.check_kill_permission(bare.me, t), 0);
    // The ptrace rule asked the same way answers as ptrace_may_access does for the caller.
    let asked = bare.k.check_ptrace_permission(bare.me, t, 1);
    bare.enter();
    assert_eq!(asked, bare.k.ptrace_may_access(bare.me, t, 1));
    assert_eq!(bare.k.kill_pid_info(bare.me, SIGKILL, VICTIM), -EPERM);
}

/// abi.rs: a process_shares_mm for a tgid nobody has answers -ESRCH, as every other task
/// handle does, rather than "does not share".
#[test]
fn process_shares_mm_of_an_unknown_tgid_is_esrch() {
    let lab = boundary_sim().lab(1);
    assert_eq!(lab.k.process_shares_mm(u32::MAX, H_VICTIM), -ESRCH);
    assert_eq!(lab.k.process_shares_mm(4242, H_VICTIM), -ESRCH);
}

/// abi.rs: NaN, infinities and negative times or page numbers are -EINVAL.
#[test]
fn non_finite_floats_are_einval() {
    let mut lab = boundary_sim().lab(1);
    for t in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0] {
        assert_eq!(lab.k.run(t), -EINVAL, "run({t})");
    }
    lab.enter();
    let (me, h) = (lab.me, H_VICTIM);
    for (a, b) in [
        (f64::NAN, 1.0),
        (0.0, f64::NAN),
        (0.0, f64::INFINITY),
        (f64::NEG_INFINITY, 0.0),
        (-0.5, 1.0),
        (0.0, 1e300),
    ] {
        assert_eq!(lab.k.zap_range(me, h, a, b), -EINVAL, "zap_range({a}, {b})");
    }
    assert_eq!(lab.k.check_invariants(), 0);
}

/// abi.rs: stale handles: an mm whose mm_count reached 0, a released task, a closed fd.
#[test]
fn stale_handles_answer_errno() {
    let mut lab = boundary_sim().lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.mm(H_VICTIM).state, 3.0, "the victim's mm is freed");
    assert_eq!(lab.state(VICTIM), RELEASED);
    lab.enter();
    let (me, h, v, t) = (lab.me, H_VICTIM, VICTIM, VICTIM as u32);
    let k = &mut lab.k;
    let first_close = k.close(me, 3);
    assert_eq!(first_close, 0);
    let answers = vec![
        ("mm_ref", k.mm_ref(me, h, 0)),
        ("mm_flag test", k.mm_flag(me, h, MMF_OOM_SKIP, 0)),
        ("mm_flag set", k.mm_flag(me, h, MMF_OOM_SKIP, 1)),
        ("mmap_lock", k.mmap_lock(me, h, 0, 1)),
        ("mmap_unlock", k.mmap_unlock(me, h, 0)),
        ("oom_reap_task_mm", k.oom_reap_task_mm(me, h)),
        ("zap_range", k.zap_range(me, h, 0.0, 1.0)),
        ("process_shares_mm", k.process_shares_mm(t, h)),
        ("get_pid_task", k.get_pid_task(me, v, 0)),
        ("pidfd_open", k.pidfd_open(me, v, 0)),
        ("kill", k.kill(me, v, SIGKILL)),
        ("oom_kill_process", k.oom_kill_process(me, v)),
        ("find_lock_task_mm", k.find_lock_task_mm(me, t)),
        ("pidfd_get_pid closed", k.pidfd_get_pid(me, 3)),
        ("close twice", k.close(me, 3)),
    ];
    assert_all_negative(&answers);
    assert_eq!(lab.k.check_invariants(), 0);
}

// ---- load_world ------------------------------------------------------------------------------

/// A program that loads, and what is done to it to break one rule of the world program.
fn malformed_programs() -> Vec<(&'static str, Vec<i32>)> {
    let good = boundary_sim();
    let words = good.prog().0;
    let mut truncated = words.clone();
    truncated.pop();
    let mut wrong_len = words.clone();
    wrong_len[1] = 2; // the KERNEL record has 1 word
    let mut unknown_op = words.clone();
    unknown_op.extend([99, 0]);
    let mut out_of_order = words[3..].to_vec();
    out_of_order.extend(&words[..3]); // KERNEL after HORIZON
    let variant = |f: fn(Sim) -> Sim| f(boundary_sim()).prog().0;
    vec![
        ("truncated record", truncated),
        ("wrong length", wrong_len),
        ("unknown op", unknown_op),
        ("records out of order", out_of_order),
        ("bad cpu index", variant(|s| s.thread(VICTIM + 2, S).on(4))),
        (
            "affinity without its cpu",
            variant(|s| s.thread(VICTIM + 2, S).on(1).pinned(0b1)),
        ),
        ("duplicate pid", variant(|s| s.thread(VICTIM + 1, S))),
        (
            "leader not first",
            variant(|s| s.process(1100, MM_VICTIM).thread(1101, S)),
        ),
        (
            "zombie status with a live thread",
            variant(|s| s.process(1100, MM_VICTIM).status(1).thread(1100, S)),
        ),
    ]
}

/// The kernel after a rejected program: a good program loads and runs to the horizon with
/// its invariants intact.
fn assert_usable(k: &mut Kernel) {
    assert_eq!(
        k.load_world(&boundary_sim().prog().0),
        0,
        "{}",
        k.last_error()
    );
    assert_eq!(
        run_baseline(k, Baseline::Sigkill, VICTIM, 0.0),
        0,
        "{}",
        k.last_error()
    );
    assert_eq!(k.check_invariants(), 0);
}

/// load.rs: every malformed program is refused with -EINVAL and a message, and the kernel
/// stays usable.
#[test]
fn load_world_rejects_malformed_programs_and_stays_usable() {
    for (what, words) in malformed_programs() {
        let mut k = Kernel::new(1, 0);
        assert_eq!(k.load_world(&words), -EINVAL, "{what}");
        assert!(!k.last_error().is_empty(), "{what}");
        assert_eq!(k.task_count(), 0, "{what}: nothing half-built is kept");
        assert_usable(&mut k);
    }
}

/// abi.rs `Kernel::new`: the seed given to the constructor drives the choices; a rejected
/// program must not replace it, so a later good load replays as on a fresh kernel.
#[test]
fn rejected_program_keeps_the_constructors_seed() {
    let seed = 5;
    let mut fresh = Kernel::new(seed, 0);
    assert_usable(&mut fresh);
    let mut reused = Kernel::new(seed, 0);
    assert_eq!(reused.load_world(&[OP_KERNEL, 1]), -EINVAL);
    assert_usable(&mut reused);
    assert_eq!(reused.events_hash(), fresh.events_hash());
}

/// docs/scenario-format.md, "Status rules" and "The world program": a zombie or reaped
/// process may have no mm, written as mm -1 in the PROCESS record.
#[test]
fn zombie_and_reaped_processes_may_have_no_mm() {
    let sim = boundary_sim()
        .process(1100, -1)
        .parent(INIT)
        .unwaited()
        .status(1)
        .thread(1100, ZOMBIE)
        .process(1200, -1)
        .parent(INIT)
        .status(2)
        .fd(KILLER, 4, FD_PIDFD, 1200);
    let mut k = Kernel::new(1, 0);
    assert_eq!(k.load_world(&sim.prog().0), 0, "{}", k.last_error());
}

/// docs/scenario-format.md, "Status rules": an alive process has at least one thread that has
/// not exited ("if all are, write status zombie"); zombie threads in a live process are fine
/// (a zombie leader whose threads still run).
#[test]
fn live_process_needs_a_thread_that_has_not_exited() {
    let zombie_leader = boundary_sim()
        .process(1100, MM_VICTIM)
        .thread(1100, ZOMBIE)
        .thread(1101, S);
    assert_eq!(Kernel::new(1, 0).load_world(&zombie_leader.prog().0), 0);
    let all_exited = boundary_sim()
        .process(1100, MM_VICTIM)
        .thread(1100, ZOMBIE)
        .thread(1101, ZOMBIE);
    let mut k = Kernel::new(1, 0);
    assert_eq!(k.load_world(&all_exited.prog().0), -EINVAL);
    assert_usable(&mut k);
}

// ---- fuzz ------------------------------------------------------------------------------------

/// Marsaglia's xorshift64.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())]
    }
}

/// Handles that mean something in dstate_world (pids, tgids, mm handles 1-3, the oom_reaper
/// at 16) and garbage.
const U32S: [u32; 12] = [0, 1, 2, 3, 4, 16, 500, 501, 1000, 1001, 4242, u32::MAX];
const I32S: [i32; 16] = [
    -1,
    0,
    1,
    2,
    3,
    4,
    5,
    9,
    15,
    18,
    19,
    500,
    1000,
    0o4000,
    i32::MIN,
    i32::MAX,
];
const F64S: [f64; 8] = [0.0, 1.0, 16.0, 1e6, -1.0, f64::NAN, f64::INFINITY, 1e300];

/// One random call of a random Kernel method. `cur` is mostly dstate_world's caller (501) so
/// that the calls get past the `cur` check.
fn random_call(k: &mut Kernel, r: &mut XorShift) -> &'static str {
    let cur = if r.below(4) > 0 { 501 } else { r.pick(&U32S) };
    let (u, i, f) = (r.pick(&U32S), r.pick(&I32S), r.pick(&F64S));
    let (i2, i3) = (r.pick(&I32S), r.pick(&I32S));
    match r.below(48) {
        0..=5 => {
            let dt = [0.0, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, f][r.below(8)];
            k.run(k.now_ns() + dt);
            "run"
        }
        6 | 7 => {
            k.ext_start(if r.below(2) == 0 { 501 } else { u });
            "ext_start"
        }
        8 => {
            k.ext_yield(cur);
            "ext_yield"
        }
        9 => {
            k.ext_end(cur);
            "ext_end"
        }
        10 => {
            k.take_result(u);
            k.task_info(u);
            k.mm_info(u);
            k.events(u);
            k.leaked_refs();
            k.pids();
            Kernel::zap_coverage(i, i2, u, i3, i);
            "queries"
        }
        11 => {
            k.syscall_enter(cur, i, i2, i3);
            k.syscall_exit(cur, i, i2);
            "syscalls"
        }
        12 => {
            k.pidfd_open(cur, i, i2);
            "pidfd_open"
        }
        13 => {
            k.close(cur, i);
            "close"
        }
        14 => {
            k.pidfd_send_signal(cur, i, i2, i3);
            "pidfd_send_signal"
        }
        15 => {
            k.kill(cur, i, i2);
            "kill"
        }
        16 => {
            k.waitid_pidfd(cur, i, i2);
            "waitid_pidfd"
        }
        17 => {
            k.pidfd_poll(cur, i);
            "pidfd_poll"
        }
        18 => {
            k.oom_kill_process(cur, i);
            "oom_kill_process"
        }
        19 => {
            k.pidfd_get_pid(cur, i);
            k.pidfd_to_pid(cur, i);
            k.pidfd_nonblock(cur, i);
            "pidfd lookups"
        }
        20 => {
            k.get_pid_task(cur, i, i2);
            "get_pid_task"
        }
        21 => {
            k.put_task_struct(cur, u);
            "put_task_struct"
        }
        22 => {
            k.task_lock(cur, u);
            "task_lock"
        }
        23 => {
            k.task_unlock(cur, u);
            "task_unlock"
        }
        24 => {
            k.find_lock_task_mm(cur, u);
            "find_lock_task_mm"
        }
        25 => {
            k.task_mm(u);
            k.task_tgid(u);
            k.task_flags(u);
            k.signal_group_exit(u);
            k.fatal_signal_pending(u);
            "task queries"
        }
        26 => {
            k.mm_ref(cur, u, i);
            "mm_ref"
        }
        27 => {
            k.task_will_free_mem(cur, u);
            k.__task_will_free_mem(cur, u);
            "task_will_free_mem"
        }
        28 => {
            k.process_shares_mm(u, r.pick(&U32S));
            "process_shares_mm"
        }
        29 => {
            k.mm_flag(cur, u, 1 << r.below(33).min(31), i);
            "mm_flag"
        }
        30 | 31 => {
            k.mmap_lock(cur, u, i, i2);
            "mmap_lock"
        }
        32 | 33 => {
            k.mmap_unlock(cur, u, i);
            "mmap_unlock"
        }
        34 => {
            k.oom_reap_task_mm(cur, u);
            "oom_reap_task_mm"
        }
        35 => {
            k.zap_range(cur, u, f, r.pick(&F64S));
            "zap_range"
        }
        36 => {
            k.kill_pid_info(cur, i, i2);
            "kill_pid_info"
        }
        37 => {
            k.capable(cur, u);
            k.ptrace_may_access(cur, u, i);
            k.check_kill_permission(u, r.next() as u32);
            k.check_ptrace_permission(u, r.next() as u32, i);
            "capable/ptrace/kill permission"
        }
        38 => {
            let list: Vec<u32> = (0..r.below(5)).map(|_| r.next() as u32).collect();
            k.set_choices(&list);
            "set_choices"
        }
        39 => {
            k.set_event_recording(r.below(8) > 0);
            "set_event_recording"
        }
        // Rarely: a loaded kernel refuses any second program and is emptied (abi.rs).
        40 if r.below(50) == 0 => {
            let words: Vec<i32> = (0..r.below(12)).map(|_| r.pick(&I32S)).collect();
            k.load_world(&words);
            "load_world (garbage)"
        }
        40 | 41 => {
            k.events_hash();
            k.event_count();
            k.choices_taken();
            k.now_ns();
            k.horizon_ns();
            k.caller();
            k.kernel_version();
            k.mm_count_total();
            k.task_count();
            k.last_error();
            "state queries"
        }
        _ => {
            // The memory killer's common path, so the fuzz reaches deep states often.
            let mm = 3;
            k.kill(cur, 1000, 9);
            k.mm_ref(cur, mm, 0);
            k.mmap_lock(cur, mm, 0, 1);
            k.oom_reap_task_mm(cur, mm);
            "kill and reap"
        }
    }
}

/// abi.rs "never traps" and invariants.rs: 20,000 random calls over every Kernel method, in
/// 40 episodes of 500 on a freshly loaded dstate_world (reloaded too whenever a garbage
/// load_world emptied the kernel), never panic, and check_invariants stays 0.
#[test]
fn fuzz_random_calls_never_panic_nor_break_invariants() {
    let world = dstate_world(618, 500_000);
    let mut r = XorShift(0x9E37_79B9_7F4A_7C15);
    for episode in 0..40 {
        let mut k = load(&world, episode);
        for step in 0..500 {
            let what = random_call(&mut k, &mut r);
            assert_eq!(
                k.check_invariants(),
                0,
                "episode {episode} step {step} ({what}): {}",
                k.last_error()
            );
            if k.task_count() == 0 {
                assert_eq!(k.load_world(&world.0), 0);
            }
        }
    }
}
