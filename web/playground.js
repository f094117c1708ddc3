// The page: loads config.json (written by `python -m patcher web`), starts the worker that
// runs rustc.wasm, and shows what a compile and a run of the program printed.
// `window.playground` holds the page's state, for the browser test (patcher/web/browser.py).

const $ = (id) => document.getElementById(id);
const state = (window.playground = { ready: false, busy: false, load: null, result: null, error: null });

function mib(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function showProgress({ phase, loaded, total }) {
  $("progress").max = total || 1;
  $("progress").value = loaded;
  const size = total ? ` ${mib(loaded)} of ${mib(total)}` : "";
  $("status").textContent = `${phase}${size}…`;
}

function showLoaded(load) {
  state.ready = true;
  state.load = load;
  $("progress").classList.add("done");
  $("compile").disabled = false;
  const from = load.fromCache ? "from the browser's cache" : "downloaded";
  $("status").textContent = `rustc.wasm ready (${mib(load.bytes)} ${from}, compiled in ${seconds(load.compileMs)})`;
  $("timings").textContent =
    `Load: fetch ${seconds(load.fetchMs)} (${from}), WebAssembly compile ${seconds(load.compileMs)}, ` +
    `sysroot, macros and crates ${seconds(load.filesMs)}.`;
}

function showResult(result) {
  state.result = result;
  state.busy = false;
  $("compile").disabled = false;
  $("diagnostics").textContent = result.stderr || "(no diagnostics)";
  $("diagnostics").classList.toggle("failed", result.exitCode !== 0);
  $("compile-summary").textContent =
    `exit ${result.exitCode} in ${seconds(result.compileMs)}, memory ${mib(result.memoryBytes)}`;
  if (result.run) {
    $("output").textContent = result.run.stdout + result.run.stderr;
    $("run-summary").textContent = `exit ${result.run.exitCode} in ${seconds(result.run.ms)}`;
  } else {
    $("output").textContent = "(not run: the program did not compile)";
    $("run-summary").textContent = "";
  }
  $("status").textContent = result.exitCode === 0 ? "Compiled and ran." : "Compile failed.";
}

function showError(message) {
  state.error = message;
  state.busy = false;
  $("status").textContent = `Error: ${message}`;
  $("diagnostics").textContent = message;
  $("diagnostics").classList.add("failed");
}

async function main() {
  const config = await (await fetch("config.json", { cache: "no-cache" })).json();
  $("rustc-version").textContent = config.rustcVersion;
  $("macros").textContent = config.macros.map((m) => m.name).join(", ");
  $("crates").textContent = config.crates.map((c) => `${c.name} ${c.version}`).join(", ");
  $("download").textContent = mib(config.downloadBytes);
  $("target").textContent = config.target;
  for (const [name, program] of Object.entries(config.programs)) {
    $("example").append(new Option(program.title, name));
  }
  const select = () => ($("source").value = config.programs[$("example").value].source);
  $("example").addEventListener("change", select);
  select();

  const worker = new Worker("worker.js", { type: "module" });
  worker.onmessage = ({ data }) => {
    if (data.type === "progress") showProgress(data);
    else if (data.type === "ready") showLoaded(data.load);
    else if (data.type === "result") showResult(data.result);
    else if (data.type === "error") showError(data.message);
  };
  worker.onerror = (event) => showError(event.message || "the worker failed");
  $("compile").addEventListener("click", () => {
    state.busy = true;
    state.result = null;
    $("compile").disabled = true;
    $("status").textContent = "Compiling…";
    worker.postMessage({ type: "compile", source: $("source").value });
  });
  worker.postMessage({ type: "load", config });
}

main().catch((err) => showError(String(err)));
