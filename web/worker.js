// rustc.wasm in a Web Worker, through @bjorn3/browser_wasi_shim: the sysroot (std for the
// target), the macros' modules and the crates (/crates: serde, serde_json, thiserror, clap,
// what they need, their proc macros as modules) are an in-memory file system; each compile is a fresh
// instance of the one compiled module, and so is each run of the program it produced.
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from "./vendor/browser_wasi_shim/index.js";

let config = null;
let rustc = null; // WebAssembly.Module
let sysroot = null; // Directory
let macros = null; // Directory
let crates = null; // Directory

const post = (message) => postMessage(message);

// Responses live in the Cache API under their versioned URLs (files/<version>/...): a reload
// neither downloads them again nor, for rustc.wasm, compiles it again (V8 keeps the code of
// a module compiled with compileStreaming from a cached response, keyed by its URL).
async function cached(cache, url, phase) {
  const hit = await cache.match(url);
  if (hit) return { response: hit, fromCache: true };
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  // the server may send it compressed: progress counts what arrives, decompressed
  const total = phase === "Downloading rustc.wasm" ? config.rustc.size : 0;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  let shown = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    if (phase && loaded - shown > 1 << 20) {
      shown = loaded;
      post({ type: "progress", phase, loaded, total });
    }
  }
  const body = new Blob(chunks);
  // content-length: what arrived, decompressed; the page reports it, the test checks it
  const headers = {
    "content-type": response.headers.get("content-type") || "application/octet-stream",
    "content-length": String(body.size),
  };
  await cache.put(url, new Response(body, { headers }));
  return { response: await cache.match(url), fromCache: false };
}

function tree(files) {
  // files: [{path: "lib/rustlib/...", data: Uint8Array}] -> nested Directory
  const root = new Map();
  for (const { path, data } of files) {
    const parts = path.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      if (!dir.has(part)) dir.set(part, new Directory(new Map()));
      dir = dir.get(part).contents;
    }
    dir.set(parts[parts.length - 1], new File(data, { readonly: true }));
  }
  return root;
}

async function load(message) {
  config = message.config;
  const cache = await caches.open("rustc-wasm-playground");
  // drop what older versions of the site left
  for (const request of await cache.keys()) {
    if (!new URL(request.url).pathname.includes(`/files/${config.version}/`)) await cache.delete(request);
  }
  const start = performance.now();
  const { response, fromCache } = await cached(cache, config.rustc.url, "Downloading rustc.wasm");
  const fetched = performance.now();
  post({ type: "progress", phase: "Compiling rustc.wasm", loaded: 0, total: 0 });
  rustc = await WebAssembly.compileStreaming(response);
  const compiled = performance.now();
  const read = async (entry) => {
    const { response } = await cached(cache, entry.url, null);
    return { path: entry.path, data: new Uint8Array(await response.arrayBuffer()) };
  };
  post({ type: "progress", phase: "Loading the sysroot, the macros and the crates", loaded: 0, total: 0 });
  sysroot = tree(await Promise.all(config.sysroot.map(read)));
  macros = tree(await Promise.all(config.macros.map(read)));
  crates = tree(await Promise.all(config.deps.map(read)));
  const load = {
    bytes: Number(response.headers.get("content-length")),
    fromCache,
    fetchMs: fetched - start,
    compileMs: compiled - fetched,
    filesMs: performance.now() - compiled,
  };
  post({ type: "ready", load });
}

function output() {
  const chunks = [];
  const fd = new ConsoleStdout((bytes) => chunks.push(bytes.slice()));
  fd.text = () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return fd;
}

// Runs a WASI command module; returns its exit code (a trap is reported on stderr, as 101).
function run(module, args, env, preopens, stdout, stderr) {
  const fds = [new OpenFile(new File([])), stdout, stderr, ...preopens];
  const wasi = new WASI(args, env, fds, { debug: false });
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
  let exitCode;
  try {
    exitCode = wasi.start(instance);
  } catch (err) {
    const trap = new TextEncoder().encode(`${args[0]}: trapped: ${err}\n`);
    stderr.fd_write(trap);
    exitCode = 101;
  }
  return { exitCode, memoryBytes: instance.exports.memory.buffer.byteLength };
}

async function compile(message) {
  const work = new PreopenDirectory("/work", new Map([["main.rs", new File(new TextEncoder().encode(message.source))]]));
  const preopens = [
    new PreopenDirectory("/sysroot", sysroot),
    new PreopenDirectory("/macros", macros),
    new PreopenDirectory("/crates", crates),
    work,
  ];
  const args = ["rustc", ...config.rustcArgs, "main.rs", "-o", "main.wasm"];
  const stdout = output();
  const stderr = output();
  const start = performance.now();
  const compiled = run(rustc, args, ["PWD=/work", ...config.env], preopens, stdout, stderr);
  const result = {
    exitCode: compiled.exitCode,
    stderr: stderr.text(),
    compileMs: performance.now() - start,
    memoryBytes: compiled.memoryBytes,
    run: null,
  };
  const binary = work.dir.contents.get("main.wasm");
  if (compiled.exitCode === 0 && binary) {
    const programStart = performance.now();
    const module = await WebAssembly.compile(binary.data);
    const out = output();
    const err = output();
    const ran = run(module, ["main.wasm"], [], [], out, err);
    result.run = { exitCode: ran.exitCode, stdout: out.text(), stderr: err.text(), ms: performance.now() - programStart };
  }
  post({ type: "result", result });
}

onmessage = ({ data }) => {
  const handler = data.type === "load" ? load : compile;
  handler(data).catch((err) => post({ type: "error", message: `${err}\n${err.stack || ""}` }));
};
