//! Snapshots of the simulated world, for exploring every schedule: the explorer snapshots
//! the world where a choice was drawn, runs one alternative to the end, restores the
//! snapshot and runs the next, so a schedule's shared prefix is simulated once. A snapshot
//! is a copy of the whole `World` (a `Clone`), never a replay from the start.
//!
//! Bounded: at most `snapshot_limit` live snapshots (`DEFAULT_SNAPSHOT_LIMIT`, raised up to
//! `MAX_SNAPSHOT_LIMIT`), and at most `MAX_SNAPSHOT_EVENTS` logged events held in them
//! together, since each copies the run's event log. Reaching either is an error naming the
//! limit, never a trap.

use crate::abi::Kernel;
use crate::errno::{EBUSY, EINVAL, ENOSPC};
use crate::world::World;
use wasm_bindgen::prelude::*;

/// Live snapshots by default: an explorer holds one per choice on its current schedule,
/// and the lab's scenarios draw at most a few hundred choices in a run.
pub const DEFAULT_SNAPSHOT_LIMIT: u32 = 4096;
/// The most `set_snapshot_limit` allows.
pub const MAX_SNAPSHOT_LIMIT: u32 = 1 << 20;
/// Events all live snapshots may hold together: 4,194,304 events, 256 MiB of logs (the
/// default event limit of one run, `limits.rs`).
pub const MAX_SNAPSHOT_EVENTS: usize = 1 << 22;

/// The live snapshots of one `Kernel`: slot `id` holds snapshot `id`.
#[derive(Default)]
pub struct Snapshots {
    slots: Vec<Option<World>>,
    live: u32,
    events: usize,
    limit: Option<u32>,
}

impl Snapshots {
    fn limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_SNAPSHOT_LIMIT)
    }

    /// Stores a copy of `w`; its id, or the limit it would exceed.
    fn take(&mut self, w: &World) -> Result<u32, String> {
        if self.live >= self.limit() {
            return Err(format!(
                "snapshot limit reached: {} live snapshots (drop some with drop_snapshot, or \
                 raise the limit with set_snapshot_limit, at most {MAX_SNAPSHOT_LIMIT})",
                self.limit()
            ));
        }
        let events = w.log.len();
        if self.events.saturating_add(events) > MAX_SNAPSHOT_EVENTS {
            return Err(format!(
                "snapshot limit reached: the live snapshots would hold more than \
                 {MAX_SNAPSHOT_EVENTS} logged events together (drop some with drop_snapshot)"
            ));
        }
        let free = self.slots.iter().position(Option::is_none);
        let id = free.unwrap_or(self.slots.len());
        let copy = Some(w.clone());
        match self.slots.get_mut(id) {
            Some(slot) => *slot = copy,
            None => self.slots.push(copy),
        }
        self.live += 1;
        self.events += events;
        Ok(id as u32)
    }

    fn get(&self, id: u32) -> Option<&World> {
        self.slots.get(id as usize).and_then(Option::as_ref)
    }

    fn drop_one(&mut self, id: u32) -> bool {
        match self.slots.get_mut(id as usize).and_then(Option::take) {
            Some(w) => {
                self.live -= 1;
                self.events -= w.log.len();
                while self.slots.last().is_some_and(Option::is_none) {
                    self.slots.pop();
                }
                true
            }
            None => false,
        }
    }
}

#[wasm_bindgen]
impl Kernel {
    /// Copies the world as it is now; the snapshot's id (>= 0), -EBUSY while a TypeScript
    /// segment is under way (the world is between two steps only when `run` has returned),
    /// or -ENOSPC with `last_error` naming the limit reached.
    pub fn snapshot(&mut self) -> i32 {
        if self.w.ext_running.is_some() {
            self.last_error = "a snapshot needs the world between steps: a TypeScript \
                               segment is under way"
                .into();
            return -EBUSY;
        }
        match self.snapshots.take(&self.w) {
            Ok(id) => id as i32,
            Err(message) => {
                self.last_error = message;
                -ENOSPC
            }
        }
    }

    /// Makes the world what snapshot `id` copied (the snapshot stays, for the next
    /// alternative); 0, or -EINVAL for an id that is not live.
    pub fn restore(&mut self, id: u32) -> i32 {
        match self.snapshots.get(id) {
            Some(w) => {
                self.w.clone_from(w);
                0
            }
            None => {
                self.last_error = format!("no live snapshot {id}");
                -EINVAL
            }
        }
    }

    /// Frees snapshot `id`; 0, or -EINVAL for an id that is not live.
    pub fn drop_snapshot(&mut self, id: u32) -> i32 {
        if self.snapshots.drop_one(id) {
            0
        } else {
            self.last_error = format!("no live snapshot {id}");
            -EINVAL
        }
    }

    /// How many snapshots are live.
    pub fn snapshots_live(&self) -> u32 {
        self.snapshots.live
    }

    /// Sets the most live snapshots (1 to `MAX_SNAPSHOT_LIMIT`, and no fewer than are live);
    /// 0, or -EINVAL.
    pub fn set_snapshot_limit(&mut self, limit: u32) -> i32 {
        if limit == 0 || limit > MAX_SNAPSHOT_LIMIT || limit < self.snapshots.live {
            self.last_error = format!(
                "the snapshot limit must be from 1 (and the {} live) to {MAX_SNAPSHOT_LIMIT}",
                self.snapshots.live
            );
            return -EINVAL;
        }
        self.snapshots.limit = Some(limit);
        0
    }

    /// The most live snapshots now, the most `set_snapshot_limit` allows, and the most
    /// logged events the live snapshots may hold together.
    pub fn snapshot_limits(&self) -> Vec<f64> {
        vec![
            self.snapshots.limit() as f64,
            MAX_SNAPSHOT_LIMIT as f64,
            MAX_SNAPSHOT_EVENTS as f64,
        ]
    }

    /// As `set_choices`, and every pick past the list's end (alternative 0) is reported by
    /// `take_fresh_choices`; `run_steps` pauses (-EAGAIN) after a step that drew one.
    pub fn set_choices_exploring(&mut self, list: &[u32]) {
        self.w.choices.set_list_exploring(list.to_vec());
    }

    /// The arities of the picks past the exploring list's end since the last call.
    pub fn take_fresh_choices(&mut self) -> Vec<u32> {
        self.w.choices.take_fresh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_an_error_not_a_trap() {
        let mut k = Kernel::new(1, 0);
        assert_eq!(k.set_snapshot_limit(2), 0);
        let a = k.snapshot();
        let b = k.snapshot();
        assert!(a >= 0 && b >= 0 && a != b);
        assert_eq!(k.snapshot(), -ENOSPC);
        assert!(k.last_error().contains("snapshot limit reached: 2 live"));
        assert_eq!(k.set_snapshot_limit(1), -EINVAL);
        assert_eq!(k.drop_snapshot(a as u32), 0);
        assert_eq!(k.drop_snapshot(a as u32), -EINVAL);
        assert_eq!(k.restore(a as u32), -EINVAL);
        assert_eq!(k.snapshot(), a);
        assert_eq!(k.snapshots_live(), 2);
        assert_eq!(k.set_snapshot_limit(0), -EINVAL);
        assert_eq!(k.set_snapshot_limit(MAX_SNAPSHOT_LIMIT + 1), -EINVAL);
    }
}

#[cfg(test)]
mod restore_tests {
    use crate::baseline::{run_baseline, Baseline};
    use crate::tests::{dstate_world, load};

    /// A world restored from a snapshot taken mid-run goes on exactly as the run it was
    /// taken from: the same event log (its hash), the same clock.
    #[test]
    fn a_restored_world_replays_the_rest_of_the_run_exactly() {
        let p = dstate_world(618, 20_000);
        let mut k = load(&p, 1);
        assert_eq!(k.run(1_000_000.0), 0);
        let id = k.snapshot();
        assert!(id >= 0, "{}", k.last_error());
        let first = run_baseline(&mut k, Baseline::OomReaper, 1000, 1_000_000.0);
        let (hash, now) = (k.events_hash(), k.now_ns());
        assert!(k.event_count() > 10);
        assert_eq!(k.restore(id as u32), 0);
        assert!(k.now_ns() < now);
        let again = run_baseline(&mut k, Baseline::OomReaper, 1000, 1_000_000.0);
        assert_eq!((again, k.events_hash(), k.now_ns()), (first, hash, now));
    }
}
