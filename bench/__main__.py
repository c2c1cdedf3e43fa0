"""Run the benchmarks: `python -m bench` runs all, `python -m bench ledger_import risk_score` some.

Each module bench/bench_<name>.py has `main() -> None` that measures, prints its numbers and the machine.
Results are recorded by hand, with date and machine, in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    here = Path(__file__).parent
    found = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [f"bench_{n}" if not n.startswith("bench_") else n for n in names] or found
    for name in wanted:
        if name not in found:
            raise SystemExit(f"no benchmark {name}; have {', '.join(found)}")
        print(f"=== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
