//! The deterministic scheduler: run queues per CPU, sleeping and waking, preemption at step
//! boundaries, and the event loop that advances the simulated clock. Which of several CPUs
//! due at the same instant acts first, and which of equally ranked runnable tasks runs next,
//! are choices.

use crate::events::Kind;
use crate::frame::Frame;
use crate::ids::{CpuId, Pid};
use crate::limits::Limit;
use crate::params;
use crate::rq::Pushed;
use crate::task::{Policy, SleepKind, TaskState, WaitFor, PF_EXITING};
use crate::world::{Timer, World};

pub enum Dispatch {
    /// Nothing more at this instant on that CPU.
    Done,
    /// An external task's TypeScript segment must run now.
    External(Pid),
}

impl World {
    /// Makes a sleeping, stopped or frozen task runnable. A task that still occupies its CPU
    /// (it went to sleep in the step now paying its cost) simply keeps running.
    pub fn wake(&mut self, pid: Pid, ctx: Pid) {
        let Some(i) = self.task_index(pid) else {
            return;
        };
        let t = &self.tasks[i];
        if !matches!(
            t.state,
            TaskState::Sleeping { .. } | TaskState::Stopped | TaskState::Frozen
        ) {
            return;
        }
        let own = t.cpu;
        let occupying = self
            .cpus
            .get(own.0 as usize)
            .is_some_and(|c| c.current == Some(pid));
        let t = &mut self.tasks[i];
        t.sleep_until_ns = None;
        t.sleep_gen = t.sleep_gen.wrapping_add(1);
        if occupying {
            t.state = TaskState::Running;
            return;
        }
        t.state = TaskState::Runnable;
        let cpu = self.select_cpu(pid);
        self.tasks[i].cpu = cpu;
        self.enqueue(cpu, pid);
        self.emit(ctx, Kind::SchedWakeup, pid.0 as i64, cpu.0 as i64, 0, 0);
        self.kick_for(cpu, pid);
    }

    /// select_task_rq, reduced: stay on the previous CPU unless it is busy and an allowed
    /// CPU is idle; which idle CPU is a choice.
    fn select_cpu(&mut self, pid: Pid) -> CpuId {
        let Some(t) = self.task(pid) else {
            return CpuId(0);
        };
        let (own, mask) = (t.cpu, t.affinity);
        let idle = |w: &World, c: usize| w.cpus[c].current.is_none() && w.cpus[c].rq.is_empty();
        if (mask >> own.0) & 1 == 1 && idle(self, own.0 as usize) {
            return own;
        }
        let candidates: Vec<usize> = (0..self.cpus.len())
            .filter(|&c| (mask >> c) & 1 == 1 && idle(self, c))
            .collect();
        if candidates.is_empty() {
            return if (mask >> own.0) & 1 == 1 {
                own
            } else {
                CpuId(mask.trailing_zeros())
            };
        }
        CpuId(candidates[self.choices.pick(candidates.len())] as u32)
    }

    /// A woken task of higher rank than a CPU's userspace-running task preempts it now (the
    /// resched IPI); kernel steps are short and end at their preemption point.
    fn kick_for(&mut self, cpu: CpuId, woken: Pid) {
        let Some(c) = self.cpus.get(cpu.0 as usize) else {
            return;
        };
        let Some(cur) = c.current else { return };
        let (Some(cur_t), Some(w)) = (self.task(cur), self.task(woken)) else {
            return;
        };
        if w.rank() > cur_t.rank() && cur_t.frames.last() == Some(&Frame::User) {
            self.cpus[cpu.0 as usize].busy_until_ns = self.now_ns;
        }
    }

    /// A fatal signal reaches a task running userspace: signal_wake_up's IPI makes it
    /// notice at once instead of at the end of its slice.
    pub fn kick_running(&mut self, pid: Pid) {
        let Some(t) = self.task(pid) else { return };
        if t.state != TaskState::Running || t.frames.last() != Some(&Frame::User) {
            return;
        }
        let c = t.cpu.0 as usize;
        if self.cpus[c].current == Some(pid) {
            self.cpus[c].busy_until_ns = self.cpus[c].busy_until_ns.min(self.now_ns);
        }
    }

    /// Puts a task to sleep. It leaves its CPU when the step that decided it has been paid.
    pub fn sleep(&mut self, pid: Pid, kind: SleepKind, waiting: WaitFor, until_ns: Option<u64>) {
        let Some(i) = self.task_index(pid) else {
            return;
        };
        // A design that sleeps holding some task's task_lock (a spinlock): "scheduling while
        // atomic". Only designs (external tasks) take task_lock across their own code.
        if self.tasks[i].external {
            if let Some(locked) = self.tasks.iter().find(|t| t.alloc_lock_holder == Some(pid)) {
                let whose = locked.pid.0 as i64;
                self.warn(pid, crate::events::Warn::SleepWithTaskLock, whose, 0);
            }
        }
        let t = &mut self.tasks[i];
        t.state = TaskState::Sleeping { kind, waiting };
        t.sleep_gen = t.sleep_gen.wrapping_add(1);
        t.sleep_until_ns = until_ns;
        let gen = t.sleep_gen;
        if let Some(at) = until_ns {
            self.add_timer(at, Timer::Wake { pid, gen });
        }
    }

    /// Queues a runnable task on CPU `c`'s run queue; the task keeps its slot.
    pub fn enqueue(&mut self, c: CpuId, pid: Pid) {
        let Some(i) = self.task_index(pid) else {
            return;
        };
        let t = &self.tasks[i];
        if t.rq_slot.is_some() || t.state != TaskState::Runnable || t.cpu != c {
            return self.bug(format!(
                "task {} queued on cpu {} while queued, not runnable or of another cpu",
                pid.0, c.0
            ));
        }
        let rank = t.rank();
        let Some(cpu) = self.cpus.get_mut(c.0 as usize) else {
            return self.bug(format!(
                "task {} queued on a cpu {} that is not",
                pid.0, c.0
            ));
        };
        match cpu.rq.push(pid, rank) {
            Pushed::At(slot) => self.tasks[i].rq_slot = Some((c, slot)),
            Pushed::Renumbered => self.renumber(c),
        }
    }

    /// Takes a task off the run queue it waits in (nothing if it waits in none).
    fn dequeue(&mut self, pid: Pid) {
        let Some((c, slot)) = self.task_mut(pid).and_then(|t| t.rq_slot.take()) else {
            return;
        };
        let rq = self.cpus.get_mut(c.0 as usize).map(|cpu| &mut cpu.rq);
        let removed = match rq {
            Some(rq) if rq.at(slot) == Some(pid) => rq.remove(slot),
            _ => None,
        };
        match removed {
            Some(r) if r.renumbered => self.renumber(c),
            Some(_) => {}
            None => self.bug(format!("task {} is not in its run-queue slot", pid.0)),
        }
    }

    /// The queue of CPU `c` renumbered its slots: its tasks learn their new ones.
    fn renumber(&mut self, c: CpuId) {
        let Some(cpu) = self.cpus.get(c.0 as usize) else {
            return;
        };
        let entries: Vec<_> = cpu.rq.entries().collect();
        for (slot, p) in entries {
            if let Some(t) = self.task_mut(p) {
                t.rq_slot = Some((c, slot));
            }
        }
    }

    /// A task stops being schedulable for good (zombie or released) or for now (stopped):
    /// off its queue.
    pub fn deschedule(&mut self, pid: Pid) {
        self.dequeue(pid);
    }

    /// Why the run must end now, if it must: the event log is full or a limit was reached
    /// earlier.
    pub(crate) fn over_limit(&mut self) -> bool {
        if self.limit_reached.is_none() && self.log.is_full() {
            self.limit_reached = Some(Limit::Events);
        }
        self.limit_reached.is_some()
    }

    /// The event loop: fires due timers, lets every CPU due at this instant act (in an
    /// order drawn from the choice source), then advances the clock to the next instant.
    /// Returns the pid of an external task whose TypeScript segment must run, 0 when
    /// `until_ns` is reached or nothing is left to happen, -EAGAIN after `slice_steps`
    /// steps (call again to go on: pausing changes nothing of the run), `RUN_LIMIT` when
    /// the run reached a limit, or a negative error.
    pub fn run(&mut self, until_ns: u64, slice_steps: u64) -> i32 {
        if self.failed.is_some() {
            return crate::errno::SIM_BUG;
        }
        if self.over_limit() {
            return crate::errno::RUN_LIMIT;
        }
        if self.ext_running.is_some() {
            return -crate::errno::EBUSY;
        }
        let mut slice = 0u64;
        self.run_until_ns = until_ns;
        loop {
            while let Some(t) = self.pop_due_timer() {
                self.fire(t);
            }
            if self.over_limit() {
                return crate::errno::RUN_LIMIT;
            }
            // Count the CPUs due now, then take the chosen one: no allocation per step.
            let due = (0..self.cpus.len()).filter(|&c| self.cpu_due(c)).count();
            if due > 0 {
                if self.steps_total >= self.limits.max_steps {
                    self.limit_reached = Some(Limit::Steps);
                    return crate::errno::RUN_LIMIT;
                }
                // Pausing here, with this instant's timers fired and no choice drawn yet,
                // resumes exactly where an unpaused loop would go on.
                // An explorer pauses here too after a step that drew a fresh choice: the
                // world is then at a point it can snapshot and come back to (snapshot.rs).
                if slice >= slice_steps || self.choices.has_fresh() {
                    return -crate::errno::EAGAIN;
                }
                // And before a fresh choice of the CPU that acts first, to snapshot the world
                // exactly there and try each CPU from it (commute.rs).
                if due > 1 && self.choices.exploring() {
                    let cpus = (0..self.cpus.len()).filter(|&c| self.cpu_due(c));
                    let cpus: Vec<usize> = cpus.collect();
                    if self.choices.announce_order(cpus.into_iter()) {
                        return -crate::errno::EAGAIN;
                    }
                }
                slice += 1;
                self.steps_total += 1;
                let k = self.choices.pick(due);
                let c = (0..self.cpus.len())
                    .filter(|&c| self.cpu_due(c))
                    .nth(k)
                    .unwrap_or(0);
                let outcome = self.dispatch(c);
                self.check_after_step(c);
                if self.failed.is_some() {
                    return crate::errno::SIM_BUG;
                }
                if self.over_limit() {
                    return crate::errno::RUN_LIMIT;
                }
                if let Dispatch::External(p) = outcome {
                    self.check_if_small();
                    if self.failed.is_some() {
                        return crate::errno::SIM_BUG;
                    }
                    self.ext_running = Some(p);
                    return p.0 as i32;
                }
                continue;
            }
            let next_cpu = self
                .cpus
                .iter()
                .filter(|c| c.current.is_some())
                .map(|c| c.busy_until_ns)
                .min();
            let next = match (self.next_timer_ns(), next_cpu) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            match next {
                Some(t) if t <= until_ns => {
                    debug_assert!(t >= self.now_ns, "time goes forward");
                    self.now_ns = t.max(self.now_ns);
                }
                _ => {
                    self.now_ns = self.now_ns.max(until_ns);
                    return 0;
                }
            }
        }
    }

    pub(crate) fn cpu_due(&self, c: usize) -> bool {
        let cpu = &self.cpus[c];
        match cpu.current {
            Some(_) => cpu.busy_until_ns <= self.now_ns,
            None => !cpu.rq.is_empty(),
        }
    }

    /// One CPU acts: its current task either takes its next step, is preempted, or leaves;
    /// an idle CPU picks a task from its queue.
    pub(crate) fn dispatch(&mut self, c: usize) -> Dispatch {
        if let Some(p) = self.cpus[c].current {
            let state = self.task(p).map(|t| t.state);
            if state == Some(TaskState::Running) {
                if !self.should_preempt(c, p) {
                    return self.step_current(c, p);
                }
                if let Some(t) = self.task_mut(p) {
                    t.state = TaskState::Runnable;
                }
                self.enqueue(CpuId(c as u32), p);
            }
            self.cpus[c].current = None;
            let next = self.pick_next(c);
            let prev_state = state.map(|s| s.code()).unwrap_or(0);
            self.switch_to(c, p, next, prev_state);
            return Dispatch::Done;
        }
        let next = self.pick_next(c);
        self.switch_to(c, Pid(0), next, 0);
        Dispatch::Done
    }

    /// Higher rank waiting, or an equal-rank SCHED_OTHER task waiting past the slice.
    fn should_preempt(&self, c: usize, p: Pid) -> bool {
        let Some(cur) = self.task(p) else {
            return false;
        };
        let best = self.cpus[c].rq.best().map(|(rank, _)| rank);
        match best {
            Some(r) if r > cur.rank() => true,
            Some(r)
                if r == cur.rank() && matches!(cur.policy, crate::task::Policy::Normal { .. }) =>
            {
                self.now_ns.saturating_sub(cur.slice_start_ns)
                    >= params::sched_base_slice_ns(self.cpus.len())
            }
            _ => false,
        }
    }

    /// Highest rank first; among equals (in queue order), a choice.
    fn pick_next(&mut self, c: usize) -> Option<Pid> {
        let (_, tied) = self.cpus.get(c)?.rq.best()?;
        let k = self.choices.pick(tied);
        let slot = self.cpus[c].rq.nth_best(k)?;
        let pid = self.cpus[c].rq.at(slot)?;
        self.dequeue(pid);
        Some(pid)
    }

    fn switch_to(&mut self, c: usize, prev: Pid, next: Option<Pid>, prev_state: i32) {
        let ctx = if prev.0 == 0 {
            next.unwrap_or(Pid(0))
        } else {
            prev
        };
        let next_pid = next.map(|p| p.0 as i64).unwrap_or(0);
        self.log.push(
            self.now_ns,
            c as i64,
            ctx.0,
            Kind::SchedSwitch,
            next_pid,
            prev_state as i64,
            prev.0 as i64,
            0,
        );
        let Some(n) = next else { return };
        let cost = params::scale(params::CONTEXT_SWITCH_NS, self.cpus[c].speed_ppm);
        let now = self.now_ns;
        if let Some(t) = self.task_mut(n) {
            t.state = TaskState::Running;
            t.cpu = CpuId(c as u32);
            t.slice_start_ns = now;
            t.cpu_time_ns += cost;
        }
        self.cpus[c].current = Some(n);
        self.cpus[c].busy_until_ns = now + cost;
    }

    /// The current task's next step; its cost then occupies the CPU.
    fn step_current(&mut self, c: usize, p: Pid) -> Dispatch {
        let top = self.task(p).and_then(|t| t.frames.last().copied());
        let cost = match top {
            Some(Frame::External) => return Dispatch::External(p),
            Some(f) => self.step_frame(p, f),
            None => {
                self.bug(format!("task {} runs with no work", p.0));
                1
            }
        };
        let cost = cost.max(1);
        let period = cost + self.background_ns(c, p, cost);
        // A zap's equal batches that nothing can interleave with are one step (fold.rs).
        let batches = self.fold_zap(c, p, period);
        self.cpus[c].busy_until_ns = self.now_ns + period * batches;
        if let Some(t) = self.task_mut(p) {
            t.cpu_time_ns += cost * batches;
        }
        Dispatch::Done
    }

    /// An exiting SCHED_OTHER task shares its CPU with the background load
    /// (params::BACKGROUND_LOAD_PER_MILLE): the CPU is busy for the load's part of the time
    /// too, which is charged to no simulated task. Any other task has its CPU to itself.
    fn background_ns(&self, c: usize, p: Pid, cost: u64) -> u64 {
        let exiting_normal = self.task(p).is_some_and(|t| {
            t.flags & PF_EXITING != 0 && matches!(t.policy, Policy::Normal { .. })
        });
        if !exiting_normal {
            return 0;
        }
        params::background_ns(cost, self.cpus[c].speed_ppm)
    }

    /// An external task's TypeScript segment ended: it pays what it accumulated.
    pub fn end_ext_segment(&mut self, p: Pid) {
        let Some(i) = self.task_index(p) else { return };
        let t = &mut self.tasks[i];
        let cost = t.ext_pending_ns.max(params::PRIMITIVE_NS);
        t.ext_pending_ns = 0;
        t.cpu_time_ns += cost;
        let c = t.cpu.0 as usize;
        if self.cpus.get(c).is_some_and(|cpu| cpu.current == Some(p)) {
            self.cpus[c].busy_until_ns = self.now_ns + cost;
        }
        self.ext_running = None;
    }

    pub(crate) fn fire(&mut self, t: Timer) {
        match t {
            Timer::Wake { pid, gen } => {
                let ok = self.task(pid).is_some_and(|t| t.sleep_gen == gen);
                if ok {
                    self.on_sleep_timeout(pid);
                }
            }
            Timer::Scenario { index } => self.fire_scenario_event(index),
            Timer::WakeOomReaper { victim } => self.wake_oom_reaper(victim),
            Timer::ProcReaderDone { mm, reader } => {
                self.emit(
                    reader,
                    Kind::ScenarioEvent,
                    crate::load::EVENT_PROC_READER,
                    mm.0 as i64,
                    1,
                    0,
                );
                self.mmput(reader, mm);
            }
        }
    }

    /// A timed sleep ran out: plain sleeps wake; the oom_reaper's retry sleep too.
    fn on_sleep_timeout(&mut self, pid: Pid) {
        self.wake(pid, Pid(0));
    }
}
