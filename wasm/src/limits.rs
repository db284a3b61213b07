//! The limits every run ends at, whatever its world asks for: how many events its log may
//! hold (the log is the run's memory: `EVENT_WORDS` f64 words an event) and how many steps
//! it may simulate. Reaching one ends the run with `RUN_LIMIT` and the limit's name
//! (`Kernel::run_limit`), never with a trap; the runner turns it into an error that names
//! the limit and the flag that raises it. Wall time is the runner's limit (it reads the
//! clock between slices of `Kernel::run_steps`), not the core's: the core reads no clock.

use crate::events::EVENT_WORDS;

/// The default event limit: 4,194,304 events, a log of 256 MiB. The largest run the lab
/// ships logs 33,607 events (the review's `cgroup-1000` point under sync_reap_mm, with
/// `--full`; the largest scenario file, 566), so this leaves 124 times that. Measured over
/// every scenario file under every design, kernel and seeds 1 and 7, and every point of
/// the review with `--full`.
pub const DEFAULT_MAX_EVENTS: u64 = 1 << 22;

/// The most `--max-events` may ask for: 16,777,216 events, a 1 GiB log. WebAssembly has
/// 4 GiB of memory, and growing the log copies it once more (1.5 GiB at the peak), which
/// leaves room for the world itself.
pub const MAX_MAX_EVENTS: u64 = 1 << 24;

/// The default step limit: 50,000,000 steps (a step is one CPU acting once: a kernel step,
/// a context switch or a userspace slice). The largest run the lab ships takes 24,870 (the
/// review's `cgroup-1000` point under process_mrelease, with `--full`; the largest scenario
/// file, 2,505), so this leaves 2,000 times that; it was the old per-`run` runaway guard.
pub const DEFAULT_MAX_STEPS: u64 = 50_000_000;

/// The most `--max-steps` may ask for: 2^53 - 1, the largest count a JavaScript number
/// holds exactly with its successor (Number.MAX_SAFE_INTEGER). Steps cost time, not
/// memory; the wall-time limit bounds them.
pub const MAX_MAX_STEPS: u64 = (1 << 53) - 1;

/// The bytes of log an event takes.
pub const EVENT_BYTES: u64 = (EVENT_WORDS * 8) as u64;

/// Which limit a run reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Events,
    Steps,
}

impl Limit {
    /// The limit's name, as `Kernel::run_limit` answers it.
    pub fn name(self) -> &'static str {
        match self {
            Limit::Events => "events",
            Limit::Steps => "steps",
        }
    }
}

/// What a run may use (the defaults unless `Kernel::set_run_limits` changed them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunLimits {
    pub max_events: u64,
    pub max_steps: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_events: DEFAULT_MAX_EVENTS,
            max_steps: DEFAULT_MAX_STEPS,
        }
    }
}

impl RunLimits {
    /// Limits from the boundary's numbers: whole, at least 1, at most the maxima above.
    pub fn checked(max_events: f64, max_steps: f64) -> Option<RunLimits> {
        Some(RunLimits {
            max_events: whole(max_events, MAX_MAX_EVENTS)?,
            max_steps: whole(max_steps, MAX_MAX_STEPS)?,
        })
    }
}

fn whole(v: f64, max: u64) -> Option<u64> {
    (v.is_finite() && v.fract() == 0.0 && v >= 1.0 && v <= max as f64).then_some(v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_whole_numbers_within_their_bounds() {
        assert_eq!(
            RunLimits::checked(1.0, 1.0),
            Some(RunLimits {
                max_events: 1,
                max_steps: 1
            })
        );
        let most = RunLimits::checked(MAX_MAX_EVENTS as f64, MAX_MAX_STEPS as f64);
        assert_eq!(most.map(|l| l.max_events), Some(MAX_MAX_EVENTS));
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(RunLimits::checked(bad, 1.0), None, "{bad}");
            assert_eq!(RunLimits::checked(1.0, bad), None, "{bad}");
        }
        assert_eq!(RunLimits::checked((MAX_MAX_EVENTS + 1) as f64, 1.0), None);
        assert_eq!(MAX_MAX_EVENTS * EVENT_BYTES, 1 << 30);
    }
}
