/// <reference lib="dom" />
/**
 * The page's small helpers: the worker as promises, and building and finding elements.
 *
 * @module
 */

import { READY_ID, type Reply, type Request } from "./_protocol.ts";

/** Distributes a request without `id`. */
type Ask = { [K in Request["op"]]: Omit<Extract<Request, { op: K }>, "id"> }[Request["op"]];

/** A promise-returning front to the worker. */
export interface CoreWorker {
  ask<T>(req: Ask): Promise<T>;
}

/** Starts the worker from `script` (this same bundle). */
export function connect(script: URL): CoreWorker {
  const w = new globalThis.Worker(script, { type: "module" });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = READY_ID + 1;
  const ready = Promise.withResolvers<void>();
  w.onmessage = (e: MessageEvent<Reply>) => {
    if (e.data.id === READY_ID) return ready.resolve();
    const p = pending.get(e.data.id);
    pending.delete(e.data.id);
    if (!p) return;
    if (e.data.ok) p.resolve(e.data.value);
    else p.reject(new Error(e.data.error));
  };
  w.onerror = (e) => {
    const error = new Error(e.message || "the worker failed to start");
    ready.reject(error);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  return {
    ask<T>(req: Ask): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ready.promise.then(() => w.postMessage({ ...req, id }), reject);
      });
    },
  };
}

/**
 * Runs `action` when form `#form` is submitted; an error it throws shows in `status` and
 * frees `#button` (which the action disables while it works). Returns that error handler.
 */
export function onSubmit(
  form: string,
  button: string,
  status: HTMLElement,
  action: () => Promise<void>,
): (e: Error) => void {
  const report = (e: Error) => {
    status.textContent = `Error: ${e.message}`;
    el<HTMLButtonElement>(button).disabled = false;
  };
  el(form).addEventListener("submit", (e) => {
    e.preventDefault();
    void action().catch(report);
  });
  return report;
}

/** An element by id, of the type asked (the page's HTML has each). */
export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** Builds an element with attributes and children. */
export function h(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** A file of the site, or an error naming it. */
export async function fetchOk(path: string): Promise<Response> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${res.statusText}`);
  return res;
}
