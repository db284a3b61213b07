/**
 * Every design the lab compares. Registering a design is one line here; the lab, the
 * tests and the generated docs pick it up from this list.
 *
 * @module
 */

export { sigkill } from "./sigkill.ts";
export { oom_reaper } from "./oom_reaper.ts";
export { sync_reap_mm } from "./sync_reap_mm.ts";
export { process_madvise_dontneed } from "./process_madvise.ts";
export { process_reap_v1 } from "./process_reap.ts";
export { process_mrelease_design } from "./process_mrelease.ts";
export { process_mrelease_reap_kill_design } from "./process_mrelease_reap_kill.ts";
