//! A CPU's run queue: the runnable tasks waiting for it, in the order they were queued,
//! each with the rank it was queued at (`Task::rank`, fixed for a task's life).
//!
//! The scheduler asks three things of it: the highest rank waiting and how many wait at it
//! (preemption, `pick_next`'s tie), the k-th of those in queue order (the chosen one), and
//! to take out any task (it was picked, stopped or exited). A segment tree over the queue's
//! slots answers each in O(log n) instead of a scan of the queue: every node holds the best
//! rank below it and how many slots hold that rank, and a leaf is a slot, empty once its
//! task left. Slots are appended; when they run out, or when three quarters of them are
//! empty, the live ones are compacted (renumbered, in order) into a tree twice their
//! number, so every operation costs O(log n) amortized and the slots stay within four times
//! the tasks queued.

use crate::ids::Pid;

/// The smallest tree: compacting more often than this would cost more than it saves.
const MIN_LEAVES: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Node {
    /// The best rank of the slots below (i32::MIN: none).
    best: i32,
    /// How many slots below hold that rank.
    count: u32,
}

const EMPTY: Node = Node {
    best: i32::MIN,
    count: 0,
};

fn merge(a: Node, b: Node) -> Node {
    if a.count == 0 || b.best > a.best {
        return if b.count == 0 { EMPTY } else { b };
    }
    if b.count == 0 || a.best > b.best {
        return a;
    }
    Node {
        best: a.best,
        count: a.count + b.count,
    }
}

/// Where a queued task sits: what `RunQueue::push` answers, kept by the task.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Slot(pub u32);

/// Where a push put the task, or that it renumbered the slots (every queued task's `Slot`
/// must then be read again from `entries`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pushed {
    At(Slot),
    Renumbered,
}

/// What a removal took out, and whether it renumbered the slots.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Removed {
    pub pid: Pid,
    pub renumbered: bool,
}

#[derive(Clone, Default, PartialEq)]
pub struct RunQueue {
    /// The queue in order: a task and its rank, None once the task left.
    slots: Vec<Option<(Pid, i32)>>,
    /// The segment tree, 1-based: node i has children 2i and 2i+1; the leaves are
    /// `leaves..2 * leaves`, slot s at `leaves + s`.
    tree: Vec<Node>,
    leaves: usize,
    len: usize,
    /// Tree nodes and slots visited so far: the scheduler's work, for the scaling tests.
    work: u64,
}

impl RunQueue {
    /// How many tasks wait.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Tree nodes and slots visited since the queue was made.
    pub fn work(&self) -> u64 {
        self.work
    }

    /// The best rank waiting, and how many tasks wait at it.
    pub fn best(&self) -> Option<(i32, usize)> {
        let root = self.tree.get(1).copied().unwrap_or(EMPTY);
        (root.count > 0).then_some((root.best, root.count as usize))
    }

    /// Queues `pid` at the end with its rank.
    pub fn push(&mut self, pid: Pid, rank: i32) -> Pushed {
        // Out of slots, or (after removals that left the tree large) about to hold more
        // than four slots per queued task: compact first, so the bound holds after the push.
        let renumbered = self.slots.len() >= self.leaves
            || self.slots.len() >= MIN_LEAVES.max(4 * (self.len + 1));
        if renumbered {
            self.compact(self.len + 1);
        }
        let slot = self.slots.len();
        self.slots.push(Some((pid, rank)));
        self.len += 1;
        self.set_leaf(
            slot,
            Node {
                best: rank,
                count: 1,
            },
        );
        if renumbered {
            Pushed::Renumbered
        } else {
            Pushed::At(Slot(slot as u32))
        }
    }

    /// Takes the task at `slot` out of the queue; None if no task is there.
    pub fn remove(&mut self, slot: Slot) -> Option<Removed> {
        let s = slot.0 as usize;
        let (pid, _) = self.slots.get_mut(s)?.take()?;
        self.len -= 1;
        self.set_leaf(s, EMPTY);
        let renumbered = self.slots.len() > MIN_LEAVES && self.len * 4 <= self.slots.len();
        if renumbered {
            self.compact(self.len);
        }
        Some(Removed { pid, renumbered })
    }

    /// The task at `slot`, if one is there.
    pub fn at(&self, slot: Slot) -> Option<Pid> {
        self.slots
            .get(slot.0 as usize)
            .copied()
            .flatten()
            .map(|(p, _)| p)
    }

    /// The slot of the `k`-th (from 0, in queue order) of the tasks at the best rank.
    pub fn nth_best(&mut self, k: usize) -> Option<Slot> {
        let (best, count) = self.best()?;
        if k >= count {
            return None;
        }
        let mut k = k as u32;
        let mut i = 1;
        while i < self.leaves {
            self.work += 1;
            let left = self.tree.get(2 * i).copied().unwrap_or(EMPTY);
            if left.count > 0 && left.best == best {
                if k < left.count {
                    i *= 2;
                    continue;
                }
                k -= left.count;
            }
            i = 2 * i + 1;
        }
        let slot = i - self.leaves;
        self.slots
            .get(slot)
            .copied()
            .flatten()
            .is_some_and(|(_, r)| r == best)
            .then_some(Slot(slot as u32))
    }

    /// The queued tasks in queue order, with their slots.
    pub fn entries(&self) -> impl Iterator<Item = (Slot, Pid)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(s, e)| e.map(|(p, _)| (Slot(s as u32), p)))
    }

    /// Whether every node of the tree agrees with the slots below it, and the slots are
    /// within four times the tasks queued (for the invariants).
    pub fn is_consistent(&self) -> bool {
        if self.leaves == 0 {
            return self.slots.is_empty() && self.len == 0;
        }
        if self.slots.len() > MIN_LEAVES.max(4 * self.len) {
            return false;
        }
        let live = self.slots.iter().filter(|e| e.is_some()).count();
        let leaves_ok = (0..self.leaves).all(|s| {
            let want = match self.slots.get(s).copied().flatten() {
                Some((_, rank)) => Node {
                    best: rank,
                    count: 1,
                },
                None => EMPTY,
            };
            self.tree.get(self.leaves + s) == Some(&want)
        });
        let inner_ok = (1..self.leaves).all(|i| {
            let (l, r) = (self.tree.get(2 * i), self.tree.get(2 * i + 1));
            matches!((l, r), (Some(l), Some(r)) if self.tree.get(i) == Some(&merge(*l, *r)))
        });
        live == self.len && self.slots.len() <= self.leaves && leaves_ok && inner_ok
    }

    fn set_leaf(&mut self, slot: usize, node: Node) {
        let mut i = self.leaves + slot;
        if let Some(n) = self.tree.get_mut(i) {
            *n = node;
        }
        while i > 1 {
            i /= 2;
            self.work += 1;
            let (l, r) = (self.tree.get(2 * i), self.tree.get(2 * i + 1));
            let m = merge(l.copied().unwrap_or(EMPTY), r.copied().unwrap_or(EMPTY));
            if let Some(n) = self.tree.get_mut(i) {
                *n = m;
            }
        }
    }

    /// Drops the empty slots, keeping the order, into a tree with room for twice `want`.
    fn compact(&mut self, want: usize) {
        self.work += self.slots.len() as u64;
        self.slots.retain(|e| e.is_some());
        self.leaves = (2 * want).next_power_of_two().max(MIN_LEAVES);
        self.tree.clear();
        self.tree.resize(2 * self.leaves, EMPTY);
        for (s, e) in self.slots.iter().enumerate() {
            if let (Some((_, rank)), Some(n)) = (e, self.tree.get_mut(self.leaves + s)) {
                *n = Node {
                    best: *rank,
                    count: 1,
                };
            }
        }
        for i in (1..self.leaves).rev() {
            let (l, r) = (self.tree.get(2 * i), self.tree.get(2 * i + 1));
            let m = merge(l.copied().unwrap_or(EMPTY), r.copied().unwrap_or(EMPTY));
            if let Some(n) = self.tree.get_mut(i) {
                *n = m;
            }
        }
        self.work += self.leaves as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The old queue, a vector scanned on every question: the model the tree must match.
    #[derive(Default)]
    struct Model(Vec<(Pid, i32)>);

    impl Model {
        fn best(&self) -> Option<(i32, usize)> {
            let best = self.0.iter().map(|e| e.1).max()?;
            Some((best, self.0.iter().filter(|e| e.1 == best).count()))
        }
        fn nth_best(&self, k: usize) -> Option<Pid> {
            let (best, _) = self.best()?;
            self.0.iter().filter(|e| e.1 == best).nth(k).map(|e| e.0)
        }
    }

    /// Random pushes, removals and picks (SplitMix64-driven) answer as the scanned vector
    /// did, and the tree stays consistent.
    #[test]
    fn answers_as_a_scanned_queue() {
        let mut rng = crate::choice::Choices::seeded(5);
        let mut q = RunQueue::default();
        let mut m = Model::default();
        let mut slots: Vec<(Pid, Slot)> = Vec::new();
        let mut next_pid = 1u32;
        for step in 0..20_000 {
            // Grow for a while, then drain, then grow again: every renumbering happens.
            let grow = (step / 5000) % 2 == 0;
            match rng.pick(4) {
                0 | 1 if grow => {
                    let pid = Pid(next_pid);
                    next_pid += 1;
                    let rank = rng.pick(5) as i32 - 2;
                    match q.push(pid, rank) {
                        Pushed::At(s) => slots.push((pid, s)),
                        Pushed::Renumbered => slots = q.entries().map(|(s, p)| (p, s)).collect(),
                    }
                    m.0.push((pid, rank));
                }
                0..=2 if !slots.is_empty() => {
                    let (pid, s) = slots.remove(rng.pick(slots.len()));
                    let removed = q.remove(s).expect("a task");
                    assert_eq!(removed.pid, pid);
                    if removed.renumbered {
                        slots = q.entries().map(|(s, p)| (p, s)).collect();
                    }
                    m.0.retain(|e| e.0 != pid);
                }
                _ => {
                    assert_eq!(q.best(), m.best());
                    if let Some((_, n)) = m.best() {
                        let k = rng.pick(n);
                        let s = q.nth_best(k).expect("a slot");
                        assert_eq!(q.at(s), m.nth_best(k));
                    }
                }
            }
            assert_eq!(q.len(), m.0.len());
            assert!(q.is_consistent(), "step {step}");
        }
        let order: Vec<Pid> = q.entries().map(|(_, p)| p).collect();
        assert_eq!(order, m.0.iter().map(|e| e.0).collect::<Vec<_>>());
    }

    #[test]
    fn an_empty_queue_has_no_best_and_refuses_unknown_slots() {
        let mut q = RunQueue::default();
        assert_eq!(q.best(), None);
        assert_eq!(q.nth_best(0), None);
        assert_eq!(q.remove(Slot(3)), None);
        assert!(q.is_consistent());
        assert_eq!(q.push(Pid(7), 0), Pushed::Renumbered);
        assert_eq!(q.nth_best(1), None);
        let s = q.nth_best(0).expect("one task");
        assert_eq!(q.remove(s).map(|r| r.pid), Some(Pid(7)));
        assert_eq!(q.remove(s), None);
        assert!(q.is_empty() && q.is_consistent());
    }
}
