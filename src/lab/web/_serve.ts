/**
 * `deno task web --serve`: the built site served on 127.0.0.1 for local use, as a static
 * host would serve it (files as they are, with their content types; nothing computed).
 *
 * @module
 */

/** The port `--serve` listens on by default. */
export const PORT_DEFAULT = 8000;

/** Content types of the files the build writes. */
const TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  wasm: "application/wasm",
  json: "application/json; charset=utf-8",
  txt: "text/plain; charset=utf-8",
};

/** A running server: its URL and how to stop it. */
export interface SiteServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Stops it and waits until it has. */
  shutdown(): Promise<void>;
}

/**
 * Serves `dir` on 127.0.0.1:`port` (0: a free port). Throws an error naming the port when
 * it is taken.
 */
export function serveSite(dir: string, port: number = PORT_DEFAULT): Promise<SiteServer> {
  const { promise, resolve, reject } = Promise.withResolvers<SiteServer>();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: "127.0.0.1",
      port,
      onListen: ({ port }) =>
        resolve({ url: `http://127.0.0.1:${port}/`, shutdown: () => server.shutdown() }),
    }, (req) => respond(dir, req));
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      reject(new Error(`port ${port} on 127.0.0.1 is in use: pick another with --port N`));
    } else reject(e);
  }
  return promise;
}

async function respond(dir: string, req: Request): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405 });
  }
  let path = decodeURIComponent(new URL(req.url).pathname);
  if (path.endsWith("/")) path += "index.html";
  // Only files under the site: no "..", no hidden files.
  if (path.split("/").some((part) => part === ".." || part.startsWith("."))) {
    return new Response("not found\n", { status: 404 });
  }
  const type = TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
  try {
    const data = await Deno.readFile(`${dir}${path}`);
    return new Response(req.method === "HEAD" ? null : data, {
      headers: { "content-type": type },
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory) {
      return new Response("not found\n", { status: 404 });
    }
    throw e;
  }
}
