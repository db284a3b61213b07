//! The one source of every nondeterministic decision: a seeded PRNG for experiments, or an
//! explicit list (generated and shrunk by fast-check) that falls back to 0 when exhausted,
//! so a shrunk list replays exactly.

#[derive(Clone, PartialEq)]
pub struct Choices {
    state: u64,
    list: Vec<u32>,
    next_in_list: usize,
    use_list: bool,
    taken: u64,
    /// Exploring (`snapshot.rs`): the picks made since the list ran out, each of which took
    /// alternative 0, for the explorer to branch on: `[arity, 0]` each, or
    /// `[arity, arity, cpu...]` for an order choice announced before it was drawn.
    fresh: Option<Vec<u32>>,
    /// The pick (by `taken`) an order choice was announced for: it is not reported again.
    announced: Option<u64>,
}

impl Choices {
    pub fn seeded(seed: u64) -> Self {
        Choices {
            state: seed,
            list: Vec::new(),
            next_in_list: 0,
            use_list: false,
            taken: 0,
            fresh: None,
            announced: None,
        }
    }

    /// Replaces the source by an explicit list. Entries are taken modulo the number of
    /// alternatives, so any list is valid input.
    pub fn set_list(&mut self, list: Vec<u32>) {
        self.list = list;
        self.next_in_list = 0;
        self.use_list = true;
    }

    /// As `set_list`, and from now on every pick past the list's end is reported by
    /// `take_fresh` (its arity), so an explorer can come back and take the others.
    pub fn set_list_exploring(&mut self, list: Vec<u32>) {
        self.set_list(list);
        self.fresh = Some(Vec::new());
        self.announced = None;
    }

    /// Exploring, with the list used up: reports the order choice among `cpus` about to be
    /// drawn (true), so the explorer can snapshot the world exactly before it. Once per pick.
    pub fn announce_order(&mut self, cpus: impl Iterator<Item = usize>) -> bool {
        let Some(fresh) = self.fresh.as_mut() else {
            return false;
        };
        if self.next_in_list < self.list.len() || self.announced == Some(self.taken) {
            return false;
        }
        self.announced = Some(self.taken);
        let at = fresh.len();
        fresh.extend([0, 0]);
        fresh.extend(cpus.map(|c| c as u32));
        let n = (fresh.len() - at - 2) as u32;
        fresh[at] = n;
        fresh[at + 1] = n;
        true
    }

    /// Whether an explorer set the list (`set_list_exploring`).
    pub fn exploring(&self) -> bool {
        self.fresh.is_some()
    }

    /// Whether a pick past the list's end happened since the last `take_fresh`.
    pub fn has_fresh(&self) -> bool {
        self.fresh.as_ref().is_some_and(|f| !f.is_empty())
    }

    /// The arities of the picks past the list's end since the last call, in order.
    pub fn take_fresh(&mut self) -> Vec<u32> {
        self.fresh.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Picks one of `n` alternatives (0 when there is only one; no choice is consumed then,
    /// so lists stay short and shrink well).
    pub fn pick(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.taken += 1;
        let raw = if self.use_list {
            let listed = self.list.get(self.next_in_list).copied();
            self.next_in_list += 1;
            let announced = self.announced.take() == Some(self.taken - 1);
            if let (None, Some(fresh), false) = (listed, self.fresh.as_mut(), announced) {
                fresh.extend([n.min(u32::MAX as usize) as u32, 0]);
            }
            let v = listed.unwrap_or(0);
            v as u64
        } else {
            self.splitmix64()
        };
        (raw % n as u64) as usize
    }

    /// How many real decisions have been made (the length a choice list needs).
    pub fn taken(&self) -> u64 {
        self.taken
    }

    // SplitMix64 (Steele, Lea, Flood 2014): tiny, full-period, and identical in WASM and
    // natively because it is integer-only.
    fn splitmix64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_taken_modulo_and_falls_back_to_zero() {
        let mut c = Choices::seeded(1);
        c.set_list(vec![5, 1]);
        assert_eq!(c.pick(3), 2);
        assert_eq!(c.pick(3), 1);
        assert_eq!(c.pick(3), 0);
        assert_eq!(c.pick(1), 0);
        assert_eq!(c.taken(), 3);
    }

    #[test]
    fn exploring_reports_the_picks_past_the_list() {
        let mut c = Choices::seeded(1);
        c.set_list_exploring(vec![1]);
        assert_eq!(c.pick(3), 1);
        assert!(!c.has_fresh());
        assert_eq!(c.pick(2), 0);
        assert_eq!(c.pick(1), 0);
        assert_eq!(c.pick(4), 0);
        assert!(c.has_fresh());
        assert_eq!(c.take_fresh(), vec![2, 0, 4, 0]);
        assert!(!c.has_fresh());
        assert!(c.announce_order([1, 3].into_iter()));
        assert!(!c.announce_order([1, 3].into_iter()), "once per pick");
        assert_eq!(c.pick(2), 0);
        assert_eq!(
            c.take_fresh(),
            vec![2, 2, 1, 3],
            "an announced pick is not reported twice"
        );
    }

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Choices::seeded(42);
        let mut b = Choices::seeded(42);
        for _ in 0..100 {
            assert_eq!(a.pick(7), b.pick(7));
        }
    }
}
