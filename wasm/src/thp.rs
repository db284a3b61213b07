//! A zap over part of a transparent huge page. zap_pmd_range() (mm/memory.c) zaps a
//! PMD-mapped huge page the range covers whole with zap_huge_pmd() (mm/huge_memory.c), which
//! frees the 2 MiB folio at once; one the range covers only in part (`if (next - addr !=
//! HPAGE_PMD_SIZE) __split_huge_pmd(vma, pmd, addr, false)`) it splits first:
//! __split_huge_pmd_locked() (mm/huge_memory.c) maps the same folio's 512 pages by PTEs (the
//! PMD split, not the folio's: MM_ANONPAGES does not move), and zap_pte_range() then zaps
//! only the range's PTEs. MM_ANONPAGES drops by those pages, but no memory comes back:
//! __folio_remove_rmap() (mm/rmap.c) finds the folio partially mapped and queues it with
//! deferred_split_folio(folio, true), and its 2 MiB return only when its last PTE is zapped
//! (the victim's exit, a reaper) or the deferred-split shrinker splits it under memory
//! pressure (the lab has no reclaim, so only the first). Until then the block is PTE-mapped:
//! a later zap pays per PTE, plus the folio's free when its last page goes.
//!
//! Measured on this host (docs/host.md "A zap over part of a huge page"): RssAnon dropped by
//! exactly the pages zapped, MemFree by nothing, until the rest of each block was zapped.
//! The lab's freed pages are MM_ANONPAGES (the rss_stat records; the host's RssAnon), so a
//! partial zap frees its pages there; what the split folios still hold is
//! [`Vma::thp_deferred_pages`].
//!
//! Pages are counted, not placed (vma.rs), so which blocks a range meets is a proportion of
//! the VMA's: the whole blocks it covers hold the VMA's share of PMD-mapped huge pages, then
//! of huge pages split before; the blocks it covers in part are PMD-mapped while that share
//! leaves any, then split before in the VMA's proportion; a split block it meets gives up
//! its average of PTE-mapped pages, rounded down (`split_pages_met`). Ranges that each cut
//! fresh blocks (one iovec a huge page) take nothing of the blocks the others split. A fully resident THP VMA, the only kind the host
//! runs, has no proportion to take: every block is PMD-mapped until a zap splits it.

use crate::params::{self, HPAGE_PMD_NR};
use crate::vma::Vma;

/// What a zap of pages `[start_page, end_page)` does to one THP VMA.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThpZap {
    /// Pages of PMD-mapped huge pages the range covers whole (zap_huge_pmd()).
    pub huge_pages: u64,
    /// PMD-mapped huge pages the range covers in part: split first.
    pub splits: u64,
    /// PTE-mapped pages it zaps: the range's part of the blocks it splits, and its share of
    /// the blocks split before.
    pub pte_pages: u64,
}

/// The blocks a range covers within a THP VMA (which starts on a PMD boundary, load.rs):
/// how many whole, and the pages it covers of the (at most two) it covers in part.
fn blocks(vma: &Vma, start_page: u64, end_page: u64) -> (u64, [u64; 2]) {
    let a = start_page.max(vma.start_page) - vma.start_page;
    let b = end_page.min(vma.end_page()).saturating_sub(vma.start_page);
    if b <= a {
        return (0, [0, 0]);
    }
    let (first, last) = (a / HPAGE_PMD_NR, (b - 1) / HPAGE_PMD_NR);
    if first == last {
        return if b - a == HPAGE_PMD_NR {
            (1, [0, 0])
        } else {
            (0, [b - a, 0])
        };
    }
    let head = (HPAGE_PMD_NR - a % HPAGE_PMD_NR) % HPAGE_PMD_NR;
    let tail = b % HPAGE_PMD_NR;
    let whole = b / HPAGE_PMD_NR - a.div_ceil(HPAGE_PMD_NR);
    (whole, [head, tail])
}

/// `part` of `n` out of `of`, rounded up, at most `n`.
fn share(n: u64, part: u64, of: u64) -> u64 {
    if of == 0 {
        return 0;
    }
    ((n as u128 * part as u128).div_ceil(of as u128) as u64).min(n)
}

/// The pages of huge pages split before that a range meets in `slots` of the VMA's blocks
/// (`covered` pages of each, 512 for blocks it covers whole), `split` of them being such
/// blocks: each holds the split blocks' average, rounded down (all of them when the range
/// meets every split block). Rounding down keeps a range from freeing a folio a range next
/// to it split: a count cannot place where an earlier range stopped.
fn split_pages_met(vma: &Vma, split: u64, covered: u64) -> u64 {
    let (blocks, pages) = (vma.thp_split_pmds, vma.thp_pte_pages);
    if split == 0 || blocks == 0 {
        return 0;
    }
    if split >= blocks && covered == HPAGE_PMD_NR {
        return pages;
    }
    (pages as u128 * split as u128 * covered as u128 / (blocks as u128 * HPAGE_PMD_NR as u128))
        as u64
}

/// What a zap of pages `[start_page, end_page)` does to THP VMA `vma` (module doc).
pub fn plan(vma: &Vma, start_page: u64, end_page: u64) -> ThpZap {
    let slots = vma.size_pages / HPAGE_PMD_NR;
    let huge = vma.thp_pmd_mapped_pages() / HPAGE_PMD_NR;
    let split_before = vma.thp_split_pmds;
    let (whole, parts) = blocks(vma, start_page, end_page);
    // The blocks it covers whole: the VMA's share of PMD-mapped ones, then of split ones.
    let whole_huge = share(huge, whole, slots);
    let whole_split = share(split_before, whole, slots).min(whole - whole_huge);
    // The blocks it covers in part: PMD-mapped (split now) while the share leaves any, then
    // split before, in the VMA's proportion.
    let cut: Vec<u64> = parts.iter().copied().filter(|&p| p > 0).collect();
    let pieces = cut.len() as u64;
    let split = share(huge - whole_huge, pieces, slots).min(pieces);
    let on_split = share(split_before - whole_split, pieces - split, slots).min(pieces - split);
    let split_pages: u64 = cut.iter().take(split as usize).sum();
    let met: u64 = cut
        .iter()
        .skip(split as usize)
        .take(on_split as usize)
        .map(|&c| split_pages_met(vma, 1, c))
        .sum();
    ThpZap {
        huge_pages: whole_huge * HPAGE_PMD_NR,
        splits: split,
        pte_pages: split_pages + split_pages_met(vma, whole_split, HPAGE_PMD_NR) + met,
    }
}

/// The cost of zapping `pages` PTE-mapped pages of THP VMA `vma` (the `unmap_ptes` to come):
/// each PTE, and the free of every folio whose last page goes, priced as zap_huge_pmd()'s
/// (measured: 3.77 µs a split block's last page, 4.44 µs a PMD, docs/host.md).
pub fn pte_zap_ns(vma: &Vma, pages: u64, exit: bool) -> u64 {
    let freed = vma.thp_split_pmds - vma.split_pmds_after(pages);
    let folio_ns = if exit {
        params::EXIT_UNMAP_NS_PER_PMD
    } else {
        params::REAP_NS_PER_PMD
    };
    pages * params::THP_PTE_ZAP_NS_PER_PAGE + freed * folio_ns
}

impl Vma {
    /// Its anon pages that PMDs map (whole huge pages).
    pub fn thp_pmd_mapped_pages(&self) -> u64 {
        self.mapped.anon.saturating_sub(self.thp_pte_pages)
    }

    /// Pages its split huge pages no longer map but still hold: zapped from MM_ANONPAGES,
    /// their folios waiting on the deferred-split queue.
    pub fn thp_deferred_pages(&self) -> u64 {
        (self.thp_split_pmds * HPAGE_PMD_NR).saturating_sub(self.thp_pte_pages)
    }

    /// __split_huge_pmd() on `n` of its PMD-mapped huge pages: their pages are PTE-mapped
    /// now, and still mapped.
    pub fn split_pmds(&mut self, n: u64) {
        let n = n.min(self.thp_pmd_mapped_pages() / HPAGE_PMD_NR);
        self.thp_split_pmds += n;
        self.thp_pte_pages += n * HPAGE_PMD_NR;
    }

    /// The split huge pages still mapping a page once `pages` more PTE-mapped pages are
    /// zapped. Each maps at least one, so there are no more of them than pages left; a zap
    /// frees the fewest folios that keeps it so. That is exact for a range that splits a
    /// block (it leaves the block pages: it covers it only in part) and for a whole-VMA zap
    /// (the last page takes the last folio); a range over pages split before, which a count
    /// cannot place, frees only the folios its count forces.
    fn split_pmds_after(&self, pages: u64) -> u64 {
        self.thp_split_pmds
            .min(self.thp_pte_pages.saturating_sub(pages))
    }

    /// What is left of a reserved batch of `batch` pages, PTE-mapped ones (`pte`) or
    /// PMD-mapped ones, when it is applied: another walker in the same VMA may have zapped
    /// some first, and this one finds those entries cleared rather than taking pages of the
    /// other kind. All of it in a VMA that is not THP (pages are alike there).
    pub fn thp_batch_left(&self, batch: u64, pte: bool) -> u64 {
        if !self.is_thp() {
            batch
        } else if pte {
            batch.min(self.thp_pte_pages)
        } else {
            batch.min(self.thp_pmd_mapped_pages())
        }
    }

    /// The bookkeeping of zapping `pages` PTE-mapped pages (their MM_ANONPAGES went with
    /// `zap_some`, which may have taken more where another walker's batch met them): the
    /// split huge pages whose last page went are freed (`split_pmds_after`).
    pub fn unmap_ptes(&mut self, pages: u64) {
        self.thp_pte_pages = self
            .thp_pte_pages
            .saturating_sub(pages)
            .min(self.mapped.anon);
        self.thp_split_pmds = self.thp_split_pmds.min(self.thp_pte_pages);
    }

    /// What is wrong with its THP bookkeeping, if anything: split huge pages each map at
    /// least one page and at most 512, the rest of its anon pages are whole PMDs, and a VMA
    /// that is not THP has none.
    pub fn thp_violation(&self) -> Option<&'static str> {
        let (split, pte) = (self.thp_split_pmds, self.thp_pte_pages);
        if !self.is_thp() {
            return (split != 0 || pte != 0).then_some("split huge pages in a VMA that is not THP");
        }
        if split > pte || pte > split * HPAGE_PMD_NR || pte > self.mapped.anon {
            return Some("split huge pages not mapping 1..512 pages each");
        }
        (!self.thp_pmd_mapped_pages().is_multiple_of(HPAGE_PMD_NR))
            .then_some("PMD-mapped pages not whole huge pages")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vma::{Pages, VmaKind, VMA_THP};

    const PMD: u64 = HPAGE_PMD_NR;

    fn thp(blocks: u64, resident: u64) -> Vma {
        Vma {
            start_page: 4 * PMD,
            size_pages: blocks * PMD,
            kind: VmaKind::Anon,
            flags: VMA_THP,
            notifier_refuses_nonblock: false,
            notifier_on_hlist: false,
            mapped: Pages {
                anon: resident * PMD,
                ..Pages::default()
            },
            zapped: Pages::default(),
            thp_split_pmds: 0,
            thp_pte_pages: 0,
        }
    }

    /// A range over whole blocks splits nothing; one over part of a block splits it and
    /// zaps only the range's pages; one across a boundary splits both blocks it cuts.
    #[test]
    fn a_range_splits_only_the_blocks_it_covers_in_part() {
        let v = thp(8, 8);
        let s = v.start_page;
        let p = |a, b| plan(&v, s + a, s + b);
        let whole = |n| ThpZap {
            huge_pages: n * PMD,
            splits: 0,
            pte_pages: 0,
        };
        assert_eq!(p(0, 8 * PMD), whole(8));
        assert_eq!(p(PMD, 3 * PMD), whole(2));
        assert_eq!(
            p(0, 1),
            ThpZap {
                huge_pages: 0,
                splits: 1,
                pte_pages: 1
            }
        );
        assert_eq!(
            p(PMD - 3, 3 * PMD + 5),
            ThpZap {
                huge_pages: 2 * PMD,
                splits: 2,
                pte_pages: 8
            }
        );
        // Past the VMA's end, the range is clipped: the last block is covered whole.
        assert_eq!(p(7 * PMD, 9 * PMD), whole(1));
    }

    /// After the split, the block's pages are PTE-mapped: a whole-VMA zap takes them per
    /// PTE (and frees the folio with the last one), the other blocks per PMD.
    #[test]
    fn a_split_block_stays_pte_mapped_until_its_last_page_goes() {
        let mut v = thp(4, 4);
        let z = plan(&v, v.start_page, v.start_page + 100);
        v.split_pmds(z.splits);
        v.mapped.anon -= z.pte_pages;
        v.unmap_ptes(z.pte_pages);
        assert_eq!((v.thp_split_pmds, v.thp_pte_pages), (1, PMD - 100));
        assert_eq!(v.thp_deferred_pages(), 100, "the folio still holds them");
        let all = plan(&v, 0, u64::MAX);
        assert_eq!(all.huge_pages, 3 * PMD);
        assert_eq!((all.splits, all.pte_pages), (0, PMD - 100));
        assert_eq!(
            pte_zap_ns(&v, PMD - 100, false),
            (PMD - 100) * params::THP_PTE_ZAP_NS_PER_PAGE + params::REAP_NS_PER_PMD
        );
        v.mapped.anon -= PMD - 100;
        v.unmap_ptes(PMD - 100);
        assert_eq!((v.thp_split_pmds, v.thp_deferred_pages()), (0, 0));
    }

    /// Half the blocks resident: the range's whole blocks and its cut ones hold half of the
    /// PMD-mapped huge pages, rounded up; with none resident it splits nothing.
    #[test]
    fn residency_is_a_proportion() {
        let v = thp(8, 4);
        let z = plan(&v, v.start_page + 10, v.start_page + 4 * PMD);
        assert_eq!(
            (z.huge_pages, z.splits, z.pte_pages),
            (2 * PMD, 1, PMD - 10)
        );
        let empty = thp(8, 0);
        assert_eq!(plan(&empty, 0, u64::MAX), ThpZap::default());
        assert_eq!(
            plan(&empty, empty.start_page + 1, empty.start_page + 2),
            ThpZap::default()
        );
    }

    /// One iovec a huge page, each over its first half: every range splits its own block
    /// and zaps its 256 pages, none of the blocks the others split; the exit then takes the
    /// rest per PTE. A range over the only block, split before, takes its pages.
    #[test]
    fn ranges_that_cut_fresh_blocks_take_only_their_own_pages() {
        let mut v = thp(32, 32);
        for i in 0..32 {
            let a = v.start_page + i * PMD;
            let z = plan(&v, a, a + 256);
            assert_eq!(
                (z.huge_pages, z.splits, z.pte_pages),
                (0, 1, 256),
                "range {i}"
            );
            v.split_pmds(z.splits);
            v.mapped.anon -= z.pte_pages;
            v.unmap_ptes(z.pte_pages);
        }
        assert_eq!((v.thp_split_pmds, v.thp_pte_pages), (32, 32 * 256));
        assert_eq!(plan(&v, 0, u64::MAX).pte_pages, 32 * 256);
        let mut one = thp(1, 1);
        let z = plan(&one, one.start_page, one.start_page + 100);
        one.split_pmds(z.splits);
        one.mapped.anon -= z.pte_pages;
        one.unmap_ptes(z.pte_pages);
        let again = plan(&one, one.start_page, one.start_page + PMD);
        assert_eq!((again.splits, again.pte_pages), (0, PMD - 100));
    }
}
