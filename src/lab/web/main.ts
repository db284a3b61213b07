/**
 * `deno task web [--out DIR] [--serve] [--port N]`: builds the playground into DIR
 * (default dist/web), and with `--serve` serves it on 127.0.0.1 until interrupted.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { buildSite, PORT_DEFAULT, serveSite, SITE_DIR_DEFAULT } from "./mod.ts";

const USAGE = `usage: deno task web [--out DIR] [--serve] [--port N]

Builds the playground, a static site (index.html, app.js, the core's WASM, the shipped
scenarios and the designs' sources and pages), into DIR; any static host serves DIR as-is.

options:
  --out DIR   where the site goes (default ${SITE_DIR_DEFAULT})
  --serve     then serve it on http://127.0.0.1:PORT/ until interrupted
  --port N    the port --serve listens on (default ${PORT_DEFAULT}; 0 picks a free one)
  -h, --help  this text`;

function fail(message: string): never {
  console.error(`error: ${message}\n(deno task web --help)`);
  Deno.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string" },
      serve: { type: "boolean" },
      port: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  fail((e as Error).message);
}
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const port = values.port === undefined ? PORT_DEFAULT : Number(values.port);
if (!/^\d+$/.test(values.port ?? "0") || port > 65535) {
  fail(`--port takes a whole number from 0 to 65535, got "${values.port}"`);
}
if (values.port !== undefined && !values.serve) fail("--port goes with --serve");
// A relative --out is the user's (deno task runs in the repository; INIT_CWD is where the
// user typed the command), as every lab command reads it.
const given = (values.out ?? SITE_DIR_DEFAULT).replace(/\/$/, "");
const out = values.out !== undefined && !given.startsWith("/") && Deno.env.get("INIT_CWD")
  ? `${Deno.env.get("INIT_CWD")}/${given}`
  : given;
const start = performance.now();
const files = await buildSite(out);
console.error(
  `web: wrote ${files.length} files to ${out}/ in ${
    ((performance.now() - start) / 1000).toFixed(1)
  } s`,
);
if (values.serve) {
  try {
    const server = await serveSite(out, port);
    console.log(`serving ${out}/ at ${server.url} (Ctrl-C stops)`);
  } catch (e) {
    fail((e as Error).message);
  }
} else {
  console.log(`${out}/index.html`);
}
