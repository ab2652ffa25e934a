#!/bin/sh
# Create .venv and install Framework Advisor into it, idempotently.
#
# Why a script and not a bare `pip install -e .`: torch comes in a CPU build and a CUDA build.
# On a machine with an NVIDIA GPU we want the CUDA build (PyPI's default); elsewhere the CPU build,
# so a laptop or CI runner does not download gigabytes of CUDA libraries it cannot use.
#
#   scripts/setup.sh           runtime dependencies
#   scripts/setup.sh --dev     plus test tools
#   scripts/setup.sh --plan    print what would be installed (build, torch, extras) and change nothing
# Environment: PYTHON (interpreter, default python3.11 or python3), ADVISOR_VENV (default .venv),
# ADVISOR_EXTRAS (extra groups; default "export,jax": the converters and runtimes the deployment probe
# tries, about 400 MB installed with ExecuTorch and the npm browser runtimes, and JAX's CPU build, so
# Keras 3 on JAX is measured beside its other backends, with JAX's CUDA plugin instead on an NVIDIA
# machine; "export" leaves JAX out, empty for none), ADVISOR_TF_GPU=0 (an NVIDIA machine without
# TensorFlow's CUDA libraries).
set -eu
cd "$(dirname "$0")/.."

extras="${ADVISOR_EXTRAS-export,jax}"
if [ "${1:-}" = "--dev" ]; then extras="${extras:+$extras,}dev"; fi
plan_only=0
if [ "${1:-}" = "--plan" ]; then plan_only=1; fi

py="${PYTHON:-}"
if [ -z "$py" ]; then
    if command -v python3.11 >/dev/null 2>&1; then py=python3.11; else py=python3; fi
fi
venv="${ADVISOR_VENV:-.venv}"

gpu=0
if nvidia-smi -L >/dev/null 2>&1; then gpu=1; fi
if [ "$gpu" = "1" ]; then
    # Every framework's GPU build: PyPI's default torch (CUDA), TensorFlow with its CUDA libraries
    # (ADVISOR_TF_GPU=0 leaves them out), JAX's CUDA plugin when the jax extra is asked for.
    torch_spec="torch>=2.13,<2.15"
    torch_index=""
    if [ "${ADVISOR_TF_GPU:-1}" = "1" ]; then extras="${extras:+$extras,}gpu"; fi
    case ",$extras," in *,jax,*) extras="$extras,jax-gpu" ;; esac
    build="CUDA (NVIDIA GPU found)"
else
    torch_spec="torch==2.13.0"
    torch_index="--extra-index-url https://download.pytorch.org/whl/cpu"
    build="CPU (no NVIDIA GPU found)"
fi

if [ "$plan_only" = "1" ]; then
    reinstall=no
    if [ "$gpu" = "1" ] && [ -x "${ADVISOR_VENV:-.venv}/bin/python" ] \
        && "${ADVISOR_VENV:-.venv}/bin/python" -c "import sys, torch; sys.exit(0 if torch.version.cuda is None else 1)" 2>/dev/null; then
        reinstall=yes
    fi
    echo "build: $build"
    echo "torch: $torch_spec ${torch_index:-from PyPI}"
    echo "replace a CPU torch: $reinstall"
    echo "extras: $extras"
    exit 0
fi

# Chromium runs two things: the export probe's browser routes (ONNX Runtime Web, LiteRT.js; see
# probes/kinds/browser.py) and, with --dev, the report's browser test (axe-core vendored in
# tests/vendor). Install it from the system's packages when it is missing and we may (apt-get, as
# root, as on CI), and npm likewise for the pinned browser runtimes; never a browser download by a
# test tool. Without them the browser routes are recorded as "not installed" with this script as the fix.
apt_install() {  # apt_install WHAT PACKAGE: install a Debian package, or say what is skipped without it
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
        echo "Installing $2 for $1 (apt-get install $2)..." >&2
        apt_log="${TMPDIR:-/tmp}/advisor-$2-install.log"
        if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2"; } >"$apt_log" 2>&1; then
            tail -n 5 "$apt_log" >&2
            echo "warning: could not install $2 (log: $apt_log); $1 will be skipped" >&2
        fi
    else
        echo "warning: $2 not found, and installing it needs apt-get as root; $1 will be skipped" >&2
    fi
}
if [ -z "${ADVISOR_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 \
    && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
    apt_install "the browser routes and the report's browser test" chromium
fi
if ! command -v npm >/dev/null 2>&1; then
    apt_install "the browser runtimes (ONNX Runtime Web, LiteRT.js)" npm
fi

web="$venv/web-runtimes"
want="$(cat pyproject.toml scripts/setup.sh scripts/web-runtimes/package-lock.json | sha256sum | cut -c1-16)"
want="$want extras=[$extras] torch=$torch_spec npm=$(command -v npm >/dev/null 2>&1 && echo yes || echo no)"
stamp="$venv/.advisor-setup"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

echo "Setting up $venv with torch $build; the first run downloads about 1 GB and takes a few minutes." >&2
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
log="$venv/setup.log"
pip_install() {
    if ! "$venv/bin/python" -m pip install --disable-pip-version-check "$@" >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "setup failed: pip install $* (full log: $log)" >&2
        exit 1
    fi
}
# torch alone from the CPU index (where reachable), without its dependencies, so that only this
# one package looks there; the project install below brings torch's dependencies from PyPI.
# On a GPU machine a CPU build already in the venv (torch.version.cuda is None) satisfies the
# version range, so it is replaced explicitly by the CUDA build.
reinstall=""
if [ "$gpu" = "1" ] && [ -x "$venv/bin/python" ] \
    && "$venv/bin/python" -c "import sys, torch; sys.exit(0 if torch.version.cuda is None else 1)" 2>/dev/null; then
    echo "Replacing the CPU build of torch in $venv with its CUDA build..." >&2
    reinstall="--force-reinstall"
fi
# shellcheck disable=SC2086
pip_install --retries 1 --timeout 20 --no-deps $reinstall $torch_index "$torch_spec"
pip_install -e ".${extras:+[$extras]}"
# ExecuTorch, the runtime a phone app links for a PyTorch model: 1.4.1 is the last release pinned to
# torch 2.13, and without --no-deps its dependency list pulls in much more than it needs to run (its
# runtime needs, torchao, ruamel.yaml and tabulate, are in the "export" extra).
case ",$extras," in *,export,*) pip_install --no-deps "executorch==1.4.1" ;; esac
# The browser runtimes, pinned by package-lock.json, into the venv (probes/kinds/browser.py looks
# there); nothing is fetched when a probe runs.
if command -v npm >/dev/null 2>&1; then
    mkdir -p "$web"
    cp scripts/web-runtimes/package.json scripts/web-runtimes/package-lock.json "$web/"
    if ! (cd "$web" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >>"$log" 2>&1; then
        tail -n 10 "$log" >&2
        echo "warning: npm ci failed in $web (log: $log); the browser routes will be recorded as not installed" >&2
    fi
fi
echo "$want" > "$stamp"
if [ "$gpu" = "1" ]; then
    # Said before any measuring: a driver older than the CUDA runtime the frameworks were built for.
    "$venv/bin/python" -c "
from probes.environment import cuda_readiness
for problem in cuda_readiness():
    print('warning:', problem)
" >&2 || true
fi
echo "Ready: $venv/bin/advisor" >&2
