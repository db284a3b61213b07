//! The one source of every nondeterministic decision: a seeded PRNG for experiments, or an
//! explicit list (generated and shrunk by fast-check) that falls back to 0 when exhausted,
//! so a shrunk list replays exactly.

pub struct Choices {
    state: u64,
    list: Vec<u32>,
    next_in_list: usize,
    use_list: bool,
    taken: u64,
}

impl Choices {
    pub fn seeded(seed: u64) -> Self {
        Choices {
            state: seed,
            list: Vec::new(),
            next_in_list: 0,
            use_list: false,
            taken: 0,
        }
    }

    /// Replaces the source by an explicit list. Entries are taken modulo the number of
    /// alternatives, so any list is valid input.
    pub fn set_list(&mut self, list: Vec<u32>) {
        self.list = list;
        self.next_in_list = 0;
        self.use_list = true;
    }

    /// Picks one of `n` alternatives (0 when there is only one; no choice is consumed then,
    /// so lists stay short and shrink well).
    pub fn pick(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.taken += 1;
        let raw = if self.use_list {
            let v = self.list.get(self.next_in_list).copied().unwrap_or(0);
            self.next_in_list += 1;
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
    fn same_seed_same_sequence() {
        let mut a = Choices::seeded(42);
        let mut b = Choices::seeded(42);
        for _ in 0..100 {
            assert_eq!(a.pick(7), b.pick(7));
        }
    }
}
