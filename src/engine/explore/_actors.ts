/**
 * The TypeScript half of a snapshot. The core copies its world (`Kernel.snapshot`), but a
 * recipe suspended in a generator cannot be copied: JavaScript has no way to clone one. A
 * recipe is deterministic in the answers its kernel calls get, so each actor's calls go
 * through a journal: live, a call reaches the core and its answer is appended; to bring an
 * actor back to a snapshot, a fresh generator is resumed as many times as the old one was,
 * its calls answered from the journal without touching the core (whose world the snapshot
 * already restored). An actor not resumed since the snapshot keeps its generator.
 *
 * @module
 */

import { type KGen, SimUserspace, type SyscallObserver } from "../../core/mod.ts";
import type { Kernel } from "../../core/wasm.ts";
import { type Actor, type ActorResults, resume } from "../run/mod.ts";

/** One actor's generator and the answers its calls got. */
class JournaledActor {
  readonly actor: Actor;
  gen: KGen<number> | undefined;
  resumes = 0;
  readonly journal: unknown[] = [];
  replaying = false;
  cursor = 0;
  readonly #kernel: Kernel;
  readonly #observe: SyscallObserver;

  constructor(actor: Actor, kernel: Kernel, observe: SyscallObserver) {
    this.actor = actor;
    this.#kernel = kernel;
    this.#observe = observe;
  }

  /** A new generator, talking to the core through the journal. */
  start(): KGen<number> {
    const wrapped = new Map<PropertyKey, unknown>();
    const kernel = new Proxy(this.#kernel, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        let f = wrapped.get(prop);
        if (!f) {
          f = (...args: unknown[]) => {
            if (this.replaying) return this.journal[this.cursor++];
            const answer = value.apply(target, args);
            this.journal.push(answer);
            return answer;
          };
          wrapped.set(prop, f);
        }
        return f;
      },
    });
    const observe: SyscallObserver = (pid, nr, ret) => {
      if (!this.replaying) this.#observe(pid, nr, ret);
    };
    this.gen = this.actor.recipe(new SimUserspace(kernel, this.actor.pid, observe));
    return this.gen;
  }
}

/** Where every actor stood when a snapshot was taken. */
export interface ActorsState {
  readonly next: number;
  readonly results: ActorResults;
  readonly actors: readonly {
    gen: KGen<number> | undefined;
    resumes: number;
    journal: number;
  }[];
}

/**
 * The actors of one run, in start order, with what the core's runner loop needs: which
 * one starts next, the running generators, the results so far.
 */
export class Actors {
  readonly list: JournaledActor[];
  next = 0;
  readonly running = new Map<number, KGen<number>>();
  results: ActorResults = new Map();
  readonly #kernel: Kernel;

  constructor(kernel: Kernel, actors: readonly Actor[], observe: SyscallObserver) {
    this.#kernel = kernel;
    this.list = [...actors].sort((a, b) => a.atNs - b.atNs)
      .map((a) => new JournaledActor(a, kernel, observe));
  }

  /** Starts the next actor's recipe (the core already started its thread). */
  startNext(): void {
    const a = this.list[this.next++];
    this.running.set(a.actor.pid, a.start());
  }

  /** Resumes `pid`'s recipe for one segment (`resume` in the runner). */
  resume(pid: number): void {
    const a = this.list.find((x) => x.actor.pid === pid);
    if (a) a.resumes++;
    resume(this.#kernel, pid, this.running, this.results);
  }

  save(): ActorsState {
    return {
      next: this.next,
      results: new Map(this.results),
      actors: this.list.map((a) => ({
        gen: a.gen,
        resumes: a.resumes,
        journal: a.journal.length,
      })),
    };
  }

  /**
   * Brings every actor back to `s`: the core's world must already be restored. Throws
   * when a recipe replays differently from its journal (a recipe that is not
   * deterministic in its kernel's answers cannot be explored).
   */
  restore(s: ActorsState): void {
    this.next = s.next;
    this.results = new Map(s.results);
    this.running.clear();
    this.list.forEach((a, i) => {
      const saved = s.actors[i];
      a.journal.length = saved.journal;
      const done = i >= s.next || s.results.has(a.actor.pid);
      if (done) {
        a.gen = undefined;
        a.resumes = 0;
        return;
      }
      if (a.gen !== saved.gen || a.resumes !== saved.resumes) replay(a, saved.resumes);
      this.running.set(a.actor.pid, a.gen!);
    });
  }
}

function replay(a: JournaledActor, resumes: number): void {
  a.replaying = true;
  a.cursor = 0;
  try {
    const gen = a.start();
    for (let i = 0; i < resumes; i++) {
      if (gen.next().done) throw new Error("it finished earlier than its journal says");
    }
    if (a.cursor !== a.journal.length) {
      throw new Error(`it made ${a.cursor} kernel calls where its journal has ${a.journal.length}`);
    }
  } catch (e) {
    throw new Error(
      `thread ${a.actor.pid}'s recipe replays differently from its run (${
        e instanceof Error ? e.message : e
      }): a recipe must be deterministic in its kernel's answers to be explored`,
    );
  } finally {
    a.replaying = false;
  }
  a.resumes = resumes;
}
