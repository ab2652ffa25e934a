"""Run an exported model in the runtime a web team ships: a real page in headless Chromium.

A Python reload proves a file loads in Python; a browser target needs it to run in the browser's
runtime. This module serves one page, the runtime's own files (installed from npm by
scripts/setup.sh into a folder next to the interpreter, never fetched now) and the artifact from
an ephemeral port on 127.0.0.1, opens the page in the system's Chromium (offline: every host name
resolves to nothing), and waits for the page to post its outputs and timings back. The page times
its calls with performance.now() in the page itself; the bytes shipped are the bytes the server
actually sent (model and runtime files), so nothing is estimated.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

PAGE_TIMEOUT_S = 90.0
WARMUP_CALLS = 3
TIMED_CALLS = 20
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no host name resolves but the page's own
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SETUP_HINT = "scripts/setup.sh  (installs Chromium with apt-get and the pinned npm runtimes; see the README)"

# The npm packages are pinned in scripts/web-runtimes/package-lock.json; each runtime below lists the
# files its page may load (URL path under /rt/ -> file under node_modules), and nothing else is served.


@dataclass(frozen=True)
class WebRuntime:
    id: str
    label: str
    package: str
    files: Mapping[str, str]  # served path -> file in node_modules
    script: str  # the page's module code: loads the runtime, defines `open(modelUrl)` -> run(Float32Array)
    head: str = ""  # extra <head> markup (classic scripts, import maps)
    folders: Mapping[str, str] = field(default_factory=dict)  # served prefix -> folder (every file in it)


ORT_WEB = WebRuntime(
    id="onnxruntime-web",
    label="ONNX Runtime Web (wasm)",
    package="onnxruntime-web",
    files={
        "ort.wasm.min.js": "onnxruntime-web/dist/ort.wasm.min.js",
        "ort-wasm-simd-threaded.mjs": "onnxruntime-web/dist/ort-wasm-simd-threaded.mjs",
        "ort-wasm-simd-threaded.wasm": "onnxruntime-web/dist/ort-wasm-simd-threaded.wasm",
    },
    head='<script src="/rt/ort.wasm.min.js"></script>',
    script="""
ort.env.wasm.numThreads = 1;  // no cross-origin isolation here, so no threads
ort.env.wasm.wasmPaths = '/rt/';
var open = async (modelUrl, shape) => {
  const session = await ort.InferenceSession.create(modelUrl, {executionProviders: ['wasm']});
  const name = session.inputNames[0], out = session.outputNames[0];
  return async (data) => {
    const result = await session.run({[name]: new ort.Tensor(dtype, data, shape)});
    return {data: result[out].data, shape: result[out].dims};
  };
};
""",
)

LITERT_JS = WebRuntime(
    id="litert-js",
    label="LiteRT.js (wasm)",
    package="@litertjs/core",
    files={
        "litert/index.js": "@litertjs/core/dist/index.js",
        "wasm-utils/index.js": "@litertjs/wasm-utils/dist/index.js",
    },
    folders={"litert/wasm/": "@litertjs/core/wasm"},
    head='<script type="importmap">{"imports": {"@litertjs/core": "/rt/litert/index.js", '
    '"@litertjs/wasm-utils": "/rt/wasm-utils/index.js"}}</script>',
    script="""
const {loadLiteRt, loadAndCompile, Tensor} = await import('@litertjs/core');
await loadLiteRt('/rt/litert/wasm/');
var open = async (modelUrl, shape) => {
  const model = await loadAndCompile(modelUrl, {accelerator: 'wasm'});
  return async (data) => {
    const input = new Tensor(data, shape);
    const outputs = await model.run(input);
    input.delete();
    const output = outputs[0];
    const result = {data: output.toTypedArray().slice(), shape: output.type.layout.dimensions};
    for (const t of outputs) t.delete();
    return result;
  };
};
""",
)

RUNTIMES = {r.id: r for r in (ORT_WEB, LITERT_JS)}
# The page's typed array for each input type the batch may have: images are float32, token ids int32 or int64.
TYPED_ARRAYS = {"float32": "Float32Array", "int32": "Int32Array", "int64": "BigInt64Array"}

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>runtime check</title>{head}</head><body>
<script type="module">
async function post(body) {{ await fetch('/result', {{method: 'POST', body: JSON.stringify(body)}}); }}
window.addEventListener('error', e => post({{ok: false, error: String(e.message)}}));
window.addEventListener('unhandledrejection',
  e => post({{ok: false, error: String(e.reason && e.reason.message || e.reason)}}));
try {{
{script}
  const shape = {shape};
  const dtype = '{dtype}';
  const data = new {array}(await (await fetch('/batch')).arrayBuffer());
  let t0 = performance.now();
  const run = await open('/model', shape);
  const loadMs = performance.now() - t0;
  let result = await run(data);
  for (let i = 1; i < {warmup}; i++) await run(data);
  const samples = [];
  for (let i = 0; i < {timed}; i++) {{
    t0 = performance.now();
    await run(data);
    samples.push(performance.now() - t0);
  }}
  await post({{ok: true, outputs: Array.from(result.data), shape: Array.from(result.shape, Number),
              load_ms: loadMs, call_ms: samples, user_agent: navigator.userAgent}});
}} catch (e) {{
  await post({{ok: false, error: String(e && e.message || e)}});
}}
</script></body></html>
"""


def runtimes_folder() -> Path:
    """Where setup installed the npm runtimes: $ADVISOR_WEB_RUNTIMES, else web-runtimes/ beside the venv's Python."""
    explicit = os.environ.get("ADVISOR_WEB_RUNTIMES")
    return Path(explicit) if explicit else Path(sys.prefix) / "web-runtimes"


def find_chromium() -> str | None:
    """$ADVISOR_CHROMIUM, else the first usual Chromium name on PATH; None when there is none."""
    explicit = os.environ.get("ADVISOR_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def missing(runtime: WebRuntime) -> str | None:
    """Why this runtime cannot run here (no Chromium, runtime files not installed), or None."""
    if find_chromium() is None:
        return "Chromium not found (set ADVISOR_CHROMIUM, or install Debian's chromium)"
    modules = runtimes_folder() / "node_modules"
    absent = [rel for rel in runtime.files.values() if not (modules / rel).is_file()]
    absent += [rel for rel in runtime.folders.values() if not (modules / rel).is_dir()]
    if absent:
        return f"{runtime.package} not installed in {runtimes_folder()} (missing {absent[0]})"
    return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Path | bytes], done: threading.Event):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.done = done
        self.result: dict[str, Any] | None = None
        self.sent: dict[str, int] = {}  # path -> bytes sent


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the page's requests are not the user's
        pass

    def do_GET(self) -> None:
        body = self.server.routes.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data = body.read_bytes() if isinstance(body, Path) else body
        kinds = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html"}
        suffix = Path(self.path).suffix if self.path != "/" else ".html"
        self.send_response(200)
        self.send_header("Content-Type", kinds.get(suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)
        self.server.sent[self.path] = self.server.sent.get(self.path, 0) + len(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length)
        self.send_response(204)
        self.end_headers()
        if self.path == "/result" and self.server.result is None:
            try:
                self.server.result = json.loads(payload)
            except ValueError:
                self.server.result = {"ok": False, "error": "the page posted something that is not JSON"}
            self.server.done.set()


def _routes(runtime: WebRuntime, artifact: Path, batch: np.ndarray) -> dict[str, Path | bytes]:
    modules = runtimes_folder() / "node_modules"
    page = PAGE.format(
        head=runtime.head,
        script=runtime.script,
        shape=json.dumps(list(batch.shape)),
        dtype=batch.dtype.name,
        array=TYPED_ARRAYS[batch.dtype.name],
        warmup=WARMUP_CALLS,
        timed=TIMED_CALLS,
    )
    routes: dict[str, Path | bytes] = {"/": page.encode(), "/model": artifact, "/batch": batch.tobytes()}
    routes.update({f"/rt/{served}": modules / rel for served, rel in runtime.files.items()})
    for prefix, rel in runtime.folders.items():
        routes.update({f"/rt/{prefix}{p.name}": p for p in (modules / rel).iterdir() if p.is_file()})
    return routes


def run_in_browser(runtime_id: str, artifact: Path, batch: np.ndarray) -> dict[str, Any]:
    """Run the artifact on the batch in the page; never raises: {"ok": False, "error": ...} says why."""
    runtime = RUNTIMES[runtime_id]
    why = missing(runtime)
    if why:
        return {"ok": False, "not_installed": True, "error": why, "install_hint": SETUP_HINT}
    batch = np.ascontiguousarray(batch, dtype=batch.dtype if batch.dtype.name in TYPED_ARRAYS else np.float32)
    done = threading.Event()
    server = _Server(_routes(runtime, artifact, batch), done)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    profile = tempfile.mkdtemp(prefix="advisor-chromium-")
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    process = subprocess.Popen(
        [str(find_chromium()), *FLAGS, f"--user-data-dir={profile}", url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        finished = done.wait(PAGE_TIMEOUT_S)
        exited = process.poll()
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)
    if not finished:
        why = f"Chromium exited ({exited})" if exited is not None else f"no result within {PAGE_TIMEOUT_S:.0f} s"
        return {"ok": False, "error": f"the page gave no result: {why}"}
    result = dict(server.result or {})
    model_bytes = server.sent.get("/model", 0)
    runtime_bytes = sum(n for path, n in server.sent.items() if path.startswith("/rt/"))
    result.update(model_bytes=model_bytes, runtime_bytes=runtime_bytes, runtime_label=runtime.label)
    return result
