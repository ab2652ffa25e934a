"""The browser routes run a model in a real page in headless Chromium, offline, and say why when they cannot.

The ONNX model here is written with onnx's own helpers (no framework), so the page's outputs can be
checked against numpy's; the framework's real exports go through the same code in tests/probes/test_export.py.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import numpy as np
import pytest

from probes.kinds import browser

pytestmark = pytest.mark.browser


def linear_onnx(path, weights):
    """y = x @ W as a one-node ONNX graph with an open batch."""
    from onnx import TensorProto, helper, numpy_helper, save

    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, weights.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, weights.shape[1]])],
        [numpy_helper.from_array(weights, "w")],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), str(path))
    return path


def skip_unless_installed(runtime):
    why = browser.missing(browser.RUNTIMES[runtime])
    if why:
        pytest.skip(f"BROWSER RUNTIME NOT INSTALLED ({why}): run scripts/setup.sh; this check did NOT run")


def test_an_onnx_model_runs_in_onnx_runtime_web_with_numpys_outputs_and_the_bytes_it_shipped(tmp_path):
    skip_unless_installed("onnxruntime-web")
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((8, 3)).astype(np.float32)
    batch = rng.standard_normal((4, 8)).astype(np.float32)
    model = linear_onnx(tmp_path / "linear.onnx", weights)
    result = browser.run_in_browser("onnxruntime-web", model, batch)
    assert result["ok"], result.get("error")
    assert np.max(np.abs(np.reshape(result["outputs"], (4, 3)) - batch @ weights)) <= 1e-5
    assert result["shape"] == [4, 3]
    assert len(result["call_ms"]) == browser.TIMED_CALLS and min(result["call_ms"]) >= 0
    assert result["model_bytes"] == model.stat().st_size
    assert result["runtime_bytes"] > 10_000_000  # the wasm runtime the page loaded


def test_a_model_the_runtime_refuses_is_a_failure_with_the_runtimes_message(tmp_path):
    skip_unless_installed("onnxruntime-web")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx file")
    result = browser.run_in_browser("onnxruntime-web", broken, np.zeros((1, 8), np.float32))
    assert result["ok"] is False and result["error"]


def test_without_chromium_a_browser_route_is_not_installed_and_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = browser.run_in_browser("onnxruntime-web", tmp_path / "m.onnx", np.zeros((1, 8), np.float32))
    assert result["not_installed"] and "Chromium not found" in result["error"]
    assert result["install_hint"].startswith("scripts/setup.sh")


def test_without_the_npm_runtimes_a_browser_route_is_not_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_WEB_RUNTIMES", str(tmp_path))
    if browser.find_chromium() is None:
        pytest.skip("Chromium not found: the missing-runtime message is checked where Chromium exists")
    why = browser.missing(browser.RUNTIMES["litert-js"])
    assert why.startswith("@litertjs/core not installed in") and str(tmp_path) in why


def test_the_page_server_listens_on_127_0_0_1_and_serves_only_its_own_files(tmp_path):
    import threading

    model = tmp_path / "m.onnx"
    model.write_bytes(b"model")
    (tmp_path / "secret.txt").write_text("no")
    server = browser._Server(browser._routes(browser.ORT_WEB, model, np.zeros((1, 2), np.float32)), threading.Event())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/model").read() == b"model"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/secret.txt")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/rt/../../secret.txt")
    finally:
        server.shutdown()
        server.server_close()
