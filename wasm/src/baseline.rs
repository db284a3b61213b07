//! The two baselines' userspace side, as call sequences on the boundary, for native drivers
//! (the determinism check and the native benchmark). The TypeScript runner issues the very
//! same calls in the same order (src/run/_baselines.ts), so both give one event log.

use crate::abi::Kernel;

/// x86_64 syscall number of kill(2).
pub const NR_KILL: i32 = 62;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Baseline {
    /// The memory killer sends SIGKILL and nothing else.
    Sigkill,
    /// The kernel's OOM killer picks the victim in the caller's context; the oom_reaper reaps.
    OomReaper,
}

/// Runs a loaded world: the caller acts at `at_ns` against `victim`, then the world runs to
/// its horizon. Returns the call's result, or the first negative answer of the protocol.
pub fn run_baseline(k: &mut Kernel, which: Baseline, victim: i32, at_ns: f64) -> i32 {
    let caller = k.caller();
    let r = k.run(at_ns);
    if r != 0 {
        return if r < 0 { r } else { -crate::errno::EBUSY };
    }
    let r = k.ext_start(caller);
    if r != 0 {
        return r;
    }
    let horizon = k.horizon_ns();
    let mut ret = 0;
    loop {
        let r = k.run(horizon);
        if r <= 0 {
            return if r < 0 { r } else { ret };
        }
        ret = match which {
            Baseline::Sigkill => {
                k.syscall_enter(caller, NR_KILL, victim, crate::signal::SIGKILL);
                let ret = k.kill(caller, victim, crate::signal::SIGKILL);
                k.syscall_exit(caller, NR_KILL, ret);
                ret
            }
            Baseline::OomReaper => k.oom_kill_process(caller, victim),
        };
        k.ext_end(caller);
    }
}
