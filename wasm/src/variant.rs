//! Kernel variants: changes proposed in the 2026 process_mrelease thread (reference §A.5,
//! §C.5) that no release has, which a world can switch on to see what they would do. Each
//! is one bit; `Kernel::set_kernel_variants` takes the mask before `load_world`, which
//! refuses a variant on a kernel it does not apply to (`applies`). The rest of the core asks the
//! predicates on `World` below, never the bits.
//!
//! Unlike `KERNEL_BUG_*` (history switched back on), these are futures: a run with none of
//! them is the kernel as released.

use crate::version::{ExitMmapShape, KernelVersion};
use crate::world::World;

/// Jann Horn's 2020 patch (lore 20201016024019.1882062-1-jannh@google.com), rebased in 2026
/// and preferred by Christian Brauner and Suren Baghdasaryan (errata.md; §A.5): exit_mm()
/// keeps an mmgrab()'d `task->exit_mm`, dropped (mmdrop_async) in free_task(), so a reaper
/// can still find the mm of a task that has passed exit_mm. Linus Torvalds objected to
/// adding the pointer (errata.md).
pub const KERNEL_VARIANT_EXIT_MM_RETENTION: u32 = 1;
/// Linus Torvalds in the v3 thread (§A.5, CAHk-=wiHfzbufXD2nuc9BhOVp…): exit_mmap() should
/// simply take mmap_lock for write, instead of unmapping under the read lock as it has since
/// bf3980c85212 (v6.0). Modelled as unmap, MMF_OOM_SKIP, free_pgtables and VMA removal all
/// under one write lock (v5.17's 64591e8605d6 shape, with MMF_OOM_SKIP for every mm as since
/// v6.0; where in the section the bit is set is derived: before the unlock, so a reaper that
/// waited for the lock sees it).
pub const KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK: u32 = 2;
pub const KERNEL_VARIANTS_MASK: u32 =
    KERNEL_VARIANT_EXIT_MM_RETENTION | KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK;
/// The bits by name, as `kernel_facts()` states them and the scenario format spells them.
pub const KERNEL_VARIANTS: [(&str, u32); 2] = [
    ("exit_mm_retention", KERNEL_VARIANT_EXIT_MM_RETENTION),
    ("exit_mmap_write_lock", KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK),
];

/// Whether variant `bit` applies to `version`. The retention is a field and two lines in
/// exit_mm()/free_task(), posted first in 2020 against that year's mainline, so it applies
/// to every version; the write lock changes bf3980c85212's exit_mmap(), so it applies where
/// that shape is (v6.0 on).
pub fn applies(bit: u32, version: KernelVersion) -> bool {
    match bit {
        KERNEL_VARIANT_EXIT_MM_RETENTION => true,
        KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK => {
            version.exit_mmap_shape() == ExitMmapShape::ReadThenWrite
        }
        _ => false,
    }
}

/// A refusal of `mask` on `version`, or None when the variants may run there.
pub fn refuse(mask: u32, version: KernelVersion) -> Option<String> {
    if mask & !KERNEL_VARIANTS_MASK != 0 {
        return Some(format!("unknown kernel variant bits {mask}"));
    }
    KERNEL_VARIANTS
        .iter()
        .find(|(_, bit)| mask & bit != 0 && !applies(*bit, version))
        .map(|(name, _)| {
            format!(
                "kernel variant {name} changes an exit_mmap that kernel {} does not have \
                 (it applies from 6.0, bf3980c85212)",
                version.name()
            )
        })
}

impl World {
    /// exit_mm() keeps `task->exit_mm` ([`KERNEL_VARIANT_EXIT_MM_RETENTION`]).
    pub fn retains_exit_mm(&self) -> bool {
        self.kernel_variants & KERNEL_VARIANT_EXIT_MM_RETENTION != 0
    }

    /// exit_mmap() runs under one mmap_lock write section
    /// ([`KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK`]).
    pub fn exit_mmap_write_locked(&self) -> bool {
        self.kernel_variants & KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK != 0
    }
}
