/**
 * Every design the lab compares. Registering a design is one line here; the lab, the
 * tests and the generated docs pick it up from this list.
 *
 * @module
 */

export { sigkill } from "./sigkill.ts";
export { oom_reaper } from "./oom_reaper.ts";
