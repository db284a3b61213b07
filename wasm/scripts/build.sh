#!/usr/bin/env bash
# Builds wasm/pkg (the Deno bindings of mrelease_core) from source, installing
# what is missing first. Nothing here downloads a prebuilt binary: the
# project's machines reach only Debian's archive, crates.io and npm
# (see shared/design/TOOLCHAIN.md).
#
# wasm/pkg/SOURCE_HASH recipe (src/lab/tools/wasm_fresh.ts must match it):
#   files = Cargo.toml, Cargo.lock and every regular file named *.rs under
#           wasm/ (symlinks not followed), skipping wasm/target and wasm/pkg;
#           paths relative to wasm/ with "/" separators, sorted by bytes;
#   hash  = sha256 of the concatenation, per file, of
#           path bytes, one NUL byte, content bytes, one NUL byte;
#   file  = the lowercase hex digest and a newline.
set -euo pipefail

WASM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export CARGO_HOME
# rustup's proxies come first on this machine's PATH; cargo install puts tools
# into $CARGO_HOME/bin.
export PATH="$PATH:$CARGO_HOME/bin"

step() { printf '\n==> [%3ss] %s\n' "$SECONDS" "$*"; }
note() { printf '    %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

step "Debian Rust toolchain (rustc-web, cargo-web, rust-web-src, lld)"
# rustup's stable has no wasm32 std and cannot download one here; Debian's
# rustc ships the std source, from which the wasm32 std is built below.
if [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -x /usr/bin/wasm-ld ] &&
  [ -d /usr/lib/rustlib/src/rust/library ]; then
  note "present: $(/usr/bin/rustc -V)"
else
  as_root apt-get update
  as_root apt-get install -y rustc-web cargo-web rust-web-src lld
fi

SYSROOT=$(/usr/bin/rustc --print sysroot)
RUSTC_VERSION=$(/usr/bin/rustc -V)
WASM_STD=$SYSROOT/lib/rustlib/wasm32-unknown-unknown/lib
STAMP=$WASM_STD/rustc-version

step "wasm32-unknown-unknown std for $RUSTC_VERSION"
# The rlibs fit one exact rustc, and Debian security updates can bump it.
if [ "$(cat "$STAMP" 2>/dev/null)" = "$RUSTC_VERSION" ]; then
  note "present in $WASM_STD"
else
  std_start=$SECONDS
  SRC=$SYSROOT/lib/rustlib/src/rust
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  # An empty crate with no dependencies: crates.io is swapped for the std
  # source's vendored crates below, so it must not need anything else.
  mkdir -p "$scratch/src"
  printf '[package]\nname = "wasm_std_seed"\nversion = "0.0.0"\nedition = "2021"\n' \
    >"$scratch/Cargo.toml"
  : >"$scratch/src/lib.rs"
  (
    cd "$scratch"
    RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTFLAGS="-C linker=wasm-ld" \
      /usr/bin/cargo build --offline --release --target wasm32-unknown-unknown \
      -Zbuild-std=std,panic_abort \
      --config "source.crates-io.replace-with='rust-std-vendor'" \
      --config "source.rust-std-vendor.directory='$SRC/library/vendor'"
  )
  as_root rm -rf "$WASM_STD"
  as_root mkdir -p "$WASM_STD"
  mapfile -t rlibs < <(find "$scratch/target/wasm32-unknown-unknown/release/deps" \
    -name 'lib*.rlib' ! -name 'libwasm_std_seed-*')
  as_root cp -t "$WASM_STD" "${rlibs[@]}"
  echo "$RUSTC_VERSION" | as_root tee "$STAMP" >/dev/null
  rm -rf "$scratch"
  trap - EXIT
  note "built and installed in $((SECONDS - std_start))s"
fi

BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print }' \
  "$WASM_DIR/Cargo.lock")
step "wasm-bindgen-cli $BINDGEN_VERSION (the version in Cargo.lock)"
# wasm-pack would otherwise try a GitHub download, which fails here.
if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $BINDGEN_VERSION" ]; then
  note "present"
else
  # Not --locked: its lock file pins a webpki-roots that crates.io here lacks.
  cargo install wasm-bindgen-cli --version "$BINDGEN_VERSION"
fi

step "wasm-pack"
if command -v wasm-pack >/dev/null; then
  note "present: $(wasm-pack --version)"
else
  cargo install wasm-pack --locked
fi

BINARYEN_VERSION=132.0.0
BINARYEN=${XDG_CACHE_HOME:-$HOME/.cache}/mrelease-lab/binaryen-$BINARYEN_VERSION
step "wasm-opt from npm's binaryen $BINARYEN_VERSION"
# Not Debian's binaryen: its wasm-opt 108 breaks wasm-bindgen's output even
# with no passes (it re-points the __wbindgen_externrefs export at the funcref
# table, so the module fails at load). npm's package is an Emscripten build.
if [ "$("$BINARYEN/node_modules/.bin/wasm-opt" --version 2>/dev/null)" = \
  "wasm-opt version ${BINARYEN_VERSION%%.*} (version_${BINARYEN_VERSION%%.*})" ]; then
  note "present in $BINARYEN"
else
  npm install --prefix "$BINARYEN" --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
fi

cd "$WASM_DIR"
step "hash of the sources (recipe at the top)"
# Taken before the build, so that an edit made while it runs leaves pkg stale
# rather than wrongly fresh.
SOURCE_HASH=$(
  {
    printf '%s\n' Cargo.toml Cargo.lock
    find . \( -path ./target -o -path ./pkg \) -prune -o -type f -name '*.rs' -print |
      sed 's|^\./||'
  } | LC_ALL=C sort | while IFS= read -r f; do
    printf '%s\0' "$f"
    cat "$f"
    printf '\0'
  done | sha256sum | cut -d' ' -f1
)
note "$SOURCE_HASH"

step "wasm-pack build --target deno --release"
STAGE=target/wasm-pack-out
rm -rf "$STAGE"
build_start=$SECONDS
# PATH: npm's wasm-opt, then Debian's rustc and cargo (wasm-pack looks for
# the wasm32 target in the sysroot of the first rustc on PATH).
# --mode no-install: wasm-pack uses the tools above and never tries a download.
# The remapping keeps the checkout directory and $CARGO_HOME out of the
# output, so any clone builds the same bytes; CARGO_ENCODED_RUSTFLAGS also
# shuts out any RUSTFLAGS of the caller's.
unset RUSTFLAGS
CARGO_ENCODED_RUSTFLAGS=$(printf '%s\x1f%s' \
  "--remap-path-prefix=$WASM_DIR=/mrelease_core" \
  "--remap-path-prefix=$CARGO_HOME=/cargo")
# In CI a Cargo.lock that does not match Cargo.toml is an error, not an update.
cargo_args=()
if [ -n "${CI:-}" ]; then cargo_args=(-- --locked); fi
PATH="$BINARYEN/node_modules/.bin:/usr/bin:$PATH" \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
  CARGO_ENCODED_RUSTFLAGS="$CARGO_ENCODED_RUSTFLAGS" \
  wasm-pack build --mode no-install --target deno --release --out-dir "$STAGE" \
  "${cargo_args[@]}"
# Only the module, its JS glue and the .d.ts files are wanted in the repo.
rm -f "$STAGE"/.gitignore "$STAGE"/package.json "$STAGE"/README* "$STAGE"/LICENSE*

step "JS glue: the .wasm as a module import, not a fetch"
# The deno target's glue fetches mrelease_core_bg.wasm at import time, which
# needs --allow-read: importing the lab would need a permission. Instead the
# glue imports the compiled module (a source phase import, which Deno loads
# with the module graph, like any static import) and instantiates it with
# the same imports, synchronously: exactly what wasm-bindgen's own
# `--target module` emits (wasm-pack has no such target). The calls go
# through the instance's exports object as before (the bundler target's
# Wasm-ESM namespace object was measured ~10% slower at the boundary). The
# edit is textual and exact: if wasm-bindgen ever writes other lines, it
# stops here rather than guess.
GLUE=$STAGE/mrelease_core.js
FETCH_LINES="const wasmUrl = new URL('mrelease_core_bg.wasm', import.meta.url);
const wasmInstantiated = await WebAssembly.instantiateStreaming(fetch(wasmUrl), __wbg_get_imports());
const wasmInstance = wasmInstantiated.instance;
const wasm = wasmInstance.exports;"
MODULE_LINES="let wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());
let wasm = wasmInstance.exports;"
TYPES_LINE='/* @ts-self-types="./mrelease_core.d.ts" */'
glue=$(cat "$GLUE")
if [ "$(grep -c 'fetch(' "$GLUE")" != 1 ] || [[ $glue != "$TYPES_LINE"$'\n'* ]] ||
  [[ $glue != *"$FETCH_LINES"* ]]; then
  echo "wasm/scripts/build.sh: $GLUE is not the glue this step knows; update the step" >&2
  exit 1
fi
glue=${glue/"$FETCH_LINES"/"$MODULE_LINES"}
glue=${glue/"$TYPES_LINE"/"$TYPES_LINE"$'\n'"import source wasmModule from \"./mrelease_core_bg.wasm\";"$'\n'}
printf '%s\n' "$glue" >"$GLUE"
note "instantiated from \`import source\` (no file read at import)"
rm -rf pkg
mv "$STAGE" pkg
echo "$SOURCE_HASH" >pkg/SOURCE_HASH
note "built in $((SECONDS - build_start))s"

ls -l pkg
step "done"
