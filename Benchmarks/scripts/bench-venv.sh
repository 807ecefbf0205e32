# Sourced by the benchmark scripts: a Python venv (Benchmarks/.venv-bench) with
# matplotlib for the charts and the Redis client for the answer check, activated.
venv="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv-bench"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q matplotlib==3.11.2 redis==5.2.1
fi
source "$venv/bin/activate"
