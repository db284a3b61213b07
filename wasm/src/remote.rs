//! Reading another process's memory as get_user_pages does for process_vm_readv()
//! (mm/process_vm_access.c: pin_user_pages_remote()) and /proc/<pid>/mem
//! (fs/proc/base.c mem_rw() → access_remote_vm()): a page whose pte is populated is copied;
//! a pte_none page is faulted in, which fails once the mm is MMF_UNSTABLE (a reap began):
//! mm/memory.c check_stable_address_space() answers VM_FAULT_SIGBUS in do_anonymous_page()
//! and, for a private mapping, finish_fault() ("check even for read faults because we might
//! have lost our CoWed page"), and GUP turns that into -EFAULT. It is there in every version
//! the lab has (3f70dc38cec2, v4.13). A shared mapping's fault does not check it.
//!
//! Pages are counted, not placed, so the lab fixes where they are in a private VMA: the
//! pages a walk zapped first (it zaps from the VMA's start), then the populated ones
//! (present or swapped out: a swap pte is not pte_none), then the never-touched rest.

use crate::errno::{EINVAL, ESRCH};
use crate::ids::MmId;
use crate::mm::MMF_UNSTABLE;
use crate::params;
use crate::world::World;

impl World {
    /// How many pages from `start` on a remote reader can copy before GUP fails: at the
    /// first page no VMA maps, a VM_PFNMAP VMA (check_vma_flags(): -EFAULT), or a pte_none
    /// page of a private VMA in an MMF_UNSTABLE mm. The VMAs are in address order.
    pub fn readable_pages(&self, mm: MmId, start: u64, end: u64) -> u64 {
        let Some(m) = self.mm(mm) else { return 0 };
        let unstable = m.test(MMF_UNSTABLE);
        let mut pos = start;
        for v in m.vmas.iter().skip_while(|v| v.end_page() <= start) {
            if pos >= end || v.start_page > pos || v.is_pfnmap() {
                break;
            }
            let stop = end.min(v.end_page());
            if !unstable || v.kind.is_shared() {
                pos = stop;
                continue;
            }
            let zapped = v.zapped.anon + v.zapped.file + v.zapped.swap;
            let populated = v.mapped.anon + v.mapped.file + v.mapped.swap;
            let offset = pos - v.start_page;
            if offset < zapped || offset >= zapped + populated {
                break;
            }
            pos = stop.min(v.start_page + zapped + populated);
            if pos < stop {
                break;
            }
        }
        pos.saturating_sub(start).min(end.saturating_sub(start))
    }

    /// The primitive: pages [start, end) of `mm` read from `cur`'s context (the caller
    /// holds mmap_lock and a reference, as the syscalls do): the pages copied, or -EINVAL
    /// for a bad range or mm.
    pub fn k_access_remote(&mut self, cur: u32, mm: u32, start_page: f64, end_page: f64) -> f64 {
        let me = match self.ext_running {
            Some(p) if p.0 == cur && self.failed.is_none() => p,
            _ => return -(EINVAL as f64),
        };
        let ok = |x: f64| x.is_finite() && (0.0..=2f64.powi(52)).contains(&x);
        let m = mm
            .checked_sub(1)
            .map(MmId)
            .filter(|m| self.mm(*m).is_some());
        let Some(m) = m.filter(|_| ok(start_page) && ok(end_page) && start_page <= end_page) else {
            return -(EINVAL as f64);
        };
        if self.task(me).is_none() {
            return -(ESRCH as f64);
        }
        self.charge_ext(me, params::PRIMITIVE_NS);
        self.readable_pages(m, start_page as u64, end_page as u64) as f64
    }
}
