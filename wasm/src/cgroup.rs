//! cgroup v2 membership and `cgroup.kill` (kernel/cgroup/cgroup.c; cgroup.kill since v5.14,
//! 661ee6280931 "cgroup: introduce cgroup.kill"). The world's cgroups are a tree under the
//! root, each with the processes it holds in cgroup.procs order; a process listed nowhere is
//! in the root cgroup. The lab has no fork and no migration, so the tree and its membership
//! are fixed at load: only the processes' states change.
//!
//! Handles: a cgroup's index + 1; 0 is the root.

use crate::errno::{ENOENT, ESRCH};
use crate::ids::Tgid;
use crate::params;
use crate::signal::{Sender, SIGKILL};
use crate::world::World;

/// The most cgroups a world may hold (the lab's bound: a program cannot make the core
/// allocate without limit; Android has one per app process, a few hundred).
pub const MAX_CGROUPS: usize = 4096;

#[derive(Clone, PartialEq)]
pub struct Cgroup {
    /// Its parent's handle: 0 for a child of the root, else an earlier cgroup's index + 1
    /// (so the tree has no cycle by construction, and index order is creation order: the
    /// order `cgroup_for_each_live_descendant_pre()` visits siblings in).
    pub parent: u32,
    /// Its own processes (not its descendants'), in cgroup.procs order.
    pub procs: Vec<Tgid>,
}

impl World {
    /// The cgroup a process belongs to: its handle (0: the root), or -ESRCH for no process.
    pub fn k_task_cgroup(&self, tgid: u32) -> i32 {
        match self.proc_index(Tgid(tgid)) {
            Some(i) => self.cgroup_of(i) as i32,
            None => -ESRCH,
        }
    }

    /// The cgroup handle of the process at index `i` of `procs` (0: the root).
    fn cgroup_of(&self, i: usize) -> u32 {
        self.proc_cgroup.get(i).copied().unwrap_or(0)
    }

    /// The cgroups of the subtree under `cgrp` (itself first), in pre-order: O(cgroups).
    fn subtree_pre(&self, cgrp: u32) -> Vec<u32> {
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); self.cgroups.len() + 1];
        for (i, c) in self.cgroups.iter().enumerate() {
            if let Some(list) = children.get_mut(c.parent as usize) {
                list.push(i as u32 + 1);
            }
        }
        let mut out = Vec::new();
        let mut stack = vec![cgrp];
        while let Some(c) = stack.pop() {
            out.push(c);
            // Children in reverse creation order on the stack: popped in creation order.
            if let Some(list) = children.get(c as usize) {
                stack.extend(list.iter().rev());
            }
        }
        out
    }

    /// The processes of one cgroup as `css_task_iter` with CSS_TASK_ITER_PROCS lists them
    /// (kernel/cgroup/cgroup.c `css_task_iter_advance()`): "dying leaders w/o live member
    /// threads" are skipped, so a zombie process is not listed while a zombie leader with live
    /// threads is. The root's are every process listed in no cgroup, in for_each_process order.
    fn cgroup_procs(&self, cgrp: u32) -> Vec<Tgid> {
        let listed = |t: &Tgid| self.process(*t).is_some_and(|p| p.live_threads > 0);
        match cgrp.checked_sub(1) {
            Some(i) => self
                .cgroups
                .get(i as usize)
                .map(|c| c.procs.iter().copied().filter(listed).collect())
                .unwrap_or_default(),
            None => (0..self.procs.len())
                .filter(|&i| self.cgroup_of(i) == 0)
                .map(|i| self.procs[i].tgid)
                .filter(listed)
                .collect(),
        }
    }

    fn cgroup_exists(&self, cgrp: u32) -> bool {
        cgrp as usize <= self.cgroups.len()
    }

    /// Writing "1" to the cgroup.kill of `cgrp` in `cur`'s context, as 6.18 has it:
    /// cgroup_kill_write() → cgroup_kill(): `cgroup_for_each_live_descendant_pre(dsct, css,
    /// cgrp) __cgroup_kill(dsct);` and __cgroup_kill() walks each cgroup's processes
    /// (CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED): "Ignore kernel threads here." (PF_KTHREAD),
    /// "Skip tasks that are already dying." (__fatal_signal_pending), else `send_sig(SIGKILL,
    /// task, 0)`: no permission check beyond the file's, and init's SIGNAL_UNKILLABLE still
    /// ignores it (sig_task_ignored). The root has no cgroup.kill (CFTYPE_NOT_ON_ROOT), nor has
    /// a cgroup that does not exist, nor any cgroup before v5.14 (`cgroup_kill`): -ENOENT. Each process visited costs a step of the walk
    /// (TWFM_NS_PER_PROCESS: a task_struct likely cold in cache, as for_each_process's), each
    /// signal SIGNAL_NS. cgroup_mutex and cgroup_threadgroup_rwsem, which it holds, guard
    /// against forks and migrations the lab does not have.
    pub fn k_cgroup_kill(&mut self, cur: u32, cgrp: u32) -> i32 {
        self.with_cur(cur, |w, me| {
            if cgrp == 0 || !w.cgroup_exists(cgrp) || !w.version.cgroup_kill() {
                return Err(-ENOENT);
            }
            let mut walked = 0u64;
            for c in w.subtree_pre(cgrp) {
                for tgid in w.cgroup_procs(c) {
                    walked += 1;
                    let Some(p) = w.process(tgid) else { continue };
                    let leader = p.threads.first().copied();
                    if p.kthread
                        || leader.is_some_and(|l| w.task(l).is_some_and(|t| t.sigkill_pending))
                    {
                        continue;
                    }
                    // send_sig() sends SEND_SIG_NOINFO, unforced; for SIGKILL the lab's
                    // kernel sender ignores nothing more than an unforced one would (init
                    // and kthreads ignore it either way), and checks no permission.
                    w.charge_ext(me, params::SIGNAL_NS);
                    w.send_group_signal(Sender::Kernel(me), SIGKILL, tgid);
                }
            }
            w.charge_ext(me, walked * params::TWFM_NS_PER_PROCESS);
            Ok(0)
        })
    }

    /// Reading cgroup.procs of `cgrp` (or, with `recursive`, of every cgroup of its subtree in
    /// pre-order, as oomd's reapCgroupRecursively() reads them): the process after `after` (a
    /// tgid, 0 to start), 0 at the end; -ENOENT for no such cgroup, -ESRCH when `after` is not
    /// listed. Each call is charged one step of the walk to `cur`, so that reading the whole
    /// list costs what one pass over it does.
    pub fn k_cgroup_proc_next(&mut self, cur: u32, cgrp: u32, after: u32, recursive: bool) -> i32 {
        self.with_cur(cur, |w, me| {
            if !w.cgroup_exists(cgrp) {
                return Err(-ENOENT);
            }
            let groups = if recursive {
                w.subtree_pre(cgrp)
            } else {
                vec![cgrp]
            };
            let all: Vec<Tgid> = groups.into_iter().flat_map(|c| w.cgroup_procs(c)).collect();
            w.charge_ext(me, params::TWFM_NS_PER_PROCESS);
            let next = if after == 0 {
                all.first()
            } else {
                let at = all.iter().position(|t| t.0 == after).ok_or(-ESRCH)?;
                all.get(at + 1)
            };
            Ok(next.map_or(0, |t| t.0 as i32))
        })
    }
}
