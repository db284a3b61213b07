//! What the VMAs of an mm cover over a page range, as do_madvise()'s walk meets them
//! (mm/madvise.c v5.10, the same loop in 6.18's madvise_walk_vmas()): a page no VMA maps
//! sets `unmapped_error = -ENOMEM`, returned once the rest of the range is done, and a VMA
//! that madvise_dontneed_free() / madvise_cold_or_pageout() refuse (`!can_madv_lru_vma()`:
//! VM_LOCKED, VM_HUGETLB, VM_PFNMAP) ends the walk with -EINVAL, the VMAs before it done.

use crate::errno::EINVAL;
use crate::ids::MmId;
use crate::world::World;

/// The page where do_madvise() meets the first VMA of [start, end) that can_madv_lru_vma()
/// refuses, or `end` if none does. The VMAs are in address order.
pub fn madvise_stop(w: &World, mm: MmId, start: u64, end: u64) -> u64 {
    let Some(m) = w.mm(mm) else { return end };
    m.vmas
        .iter()
        .filter(|v| v.end_page() > start && v.start_page < end)
        .find(|v| !v.can_madv_lru())
        .map_or(end, |v| v.start_page.max(start))
}

/// Some page of [start, end) lies in no VMA.
pub fn range_unmapped(w: &World, mm: MmId, start: u64, end: u64) -> bool {
    let Some(m) = w.mm(mm) else {
        return start < end;
    };
    let mut pos = start;
    for v in m
        .vmas
        .iter()
        .filter(|v| v.end_page() > start && v.start_page < end)
    {
        if v.start_page > pos {
            return true;
        }
        pos = pos.max(v.end_page());
    }
    pos < end
}

impl World {
    /// `madvise_span(mm, start, end, which)` for the designs: which 0 is [`madvise_stop`],
    /// which 1 is [`range_unmapped`] (1 or 0); -EINVAL for a bad mm, range or `which`.
    pub fn k_madvise_span(&self, mm: u32, start_page: f64, end_page: f64, which: i32) -> f64 {
        let ok = |x: f64| x.is_finite() && (0.0..=2f64.powi(52)).contains(&x);
        let m = mm
            .checked_sub(1)
            .map(MmId)
            .filter(|m| self.mm(*m).is_some());
        let Some(m) = m.filter(|_| ok(start_page) && ok(end_page) && start_page <= end_page) else {
            return -(EINVAL as f64);
        };
        let (start, end) = (start_page as u64, end_page as u64);
        match which {
            0 => madvise_stop(self, m, start, end) as f64,
            1 => range_unmapped(self, m, start, end) as i32 as f64,
            _ => -(EINVAL as f64),
        }
    }
}
