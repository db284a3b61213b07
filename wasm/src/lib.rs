//! mrelease-lab's simulated kernel core: tasks, signals, mm_structs, VMAs, pidfds,
//! mmap_lock, CPUs, a deterministic scheduler, the exit path and the oom_reaper. It knows
//! nothing of the designs compared on it; they drive it through `abi::Kernel`.

pub mod abi;
pub mod baseline;
pub mod cgroup;
pub mod choice;
mod commute;
pub mod errno;
pub mod events;
mod exit;
mod facts;
pub mod fd;
mod fold;
pub mod frame;
pub mod ids;
mod invariants;
pub mod limits;
pub mod load;
pub mod mm;
mod mmops;
mod oom;
pub mod params;
pub mod pidns;
mod prims;
mod proc_mm;
pub mod process;
mod reaper;
mod remote;
pub mod rq;
pub mod rwsem;
mod sched;
pub mod signal;
pub mod snapshot;
mod span;
pub mod task;
pub mod thp;
pub mod variant;
pub mod version;
pub mod vma;
mod wait;
pub mod world;
mod zap;

pub use abi::{Kernel, ABI_VERSION};

#[cfg(test)]
mod tests;
