/**
 * Every design the lab knows. Registering a design is one line here; the lab, the tests and
 * the generated docs pick it up from this list. The baselines and proposals are what every
 * comparison iterates; the stock designs (kind "stock") say what a stock 6.18 kernel, the
 * host's, answers to a proposal's call, and each lives beside the proposal it answers for.
 *
 * @module
 */

export { sigkill } from "./sigkill.ts";
export { oom_reaper } from "./oom_reaper.ts";
export { stock_pidfd_send_signal, sync_reap_mm } from "./sync_reap_mm.ts";
export { process_madvise_dontneed, stock_process_madvise } from "./process_madvise.ts";
export { process_reap_v1, stock_unassigned_syscall } from "./process_reap.ts";
export { process_mrelease_design } from "./process_mrelease.ts";
export {
  process_mrelease_reap_kill_design,
  stock_process_mrelease,
} from "./process_mrelease_reap_kill.ts";
export { cgroup_kill_mrelease_design, cgroup_kill_reap_design } from "./cgroup_reap.ts";
export { pidfd_expedite, stock_pidfd_expedite } from "./pidfd_expedite.ts";
export { process_mrelease_exit_mm_design } from "./process_mrelease_exit_mm.ts";
