"""Portfolio loss simulation, 100,000 buyers, end to end from the file, against brute-force NumPy MC.

`python -m bench portfolio` writes a seeded 100,000-buyer file (30 countries × 20 sectors, lognormal
PDs and exposures), then for the one-factor (--rho 0.2) and the multi-factor (country × sector)
correlation: reads the file and simulates to 1 % relative standard error of the 99.9 % VaR and ES,
timing wall and CPU. The brute-force method (every buyer's asset value in every scenario) is timed on
a few hundred scenarios and extrapolated to the scenarios plain Monte Carlo needs for the same accuracy
(`measures.plain_mc_scenarios`: from the loss density at the VaR and the tail variance).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.machine import describe

BUYERS, SEED, NAIVE_SCENARIOS, TARGET = 100_000, 20261204, 200, 0.01


def write_file(path: Path, n: int = BUYERS, seed: int = SEED) -> None:
    rng = np.random.default_rng(seed)
    pd = np.clip(np.exp(rng.normal(np.log(0.012), 0.9, n)), 1e-4, 0.5)
    ead = np.round(rng.lognormal(10, 1.1, n), 2)
    countries = np.array(["DE", "FR", "IT", "ES", "NL", "BE", "PL", "CZ", "AT", "SE", "GB", "US", "CA", "MX",
                          "BR", "AR", "CN", "JP", "KR", "IN", "VN", "TH", "ID", "TR", "ZA", "EG", "NG", "AE",
                          "SA", "AU"])
    sectors = np.array([f"S{i:02d}" for i in range(20)])
    c, s = countries[rng.integers(0, 30, n)], sectors[rng.integers(0, 20, n)]
    with path.open("w") as f:
        f.write("id,pd,ead,lgd,country,sector\n")
        f.writelines(f"B{i:06d},{pd[i]:.6f},{ead[i]:.2f},0.45,{c[i]},{s[i]}\n" for i in range(n))


def one_case(path: Path, label: str, rho: float | None) -> None:
    from arguard.portfolio.model import Correlation, SimulationSettings
    from arguard.portfolio.naive import brute_force_losses
    from arguard.portfolio.service import book_from_file, simulate

    corr = Correlation.one_factor(rho) if rho is not None else Correlation()
    wall, cpu = time.perf_counter(), time.process_time()
    book = book_from_file(path)
    dist, _ = simulate(book, corr, SimulationSettings(seed=SEED, target_rel_se=TARGET))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    var, es = dist.tail.var[0.999], dist.tail.es[0.999]
    need = int(dist.extra["plain_mc_scenarios"])
    t = time.perf_counter()
    brute_force_losses(book, corr, NAIVE_SCENARIOS, seed=SEED, block=20)
    per = (time.perf_counter() - t) / NAIVE_SCENARIOS
    print(f"{label}: {dist.method}")
    print(f"  fast, end to end from the file: {wall:.1f} s wall, {cpu:.1f} s CPU; {dist.scenarios:,} scenarios; "
          f"rel. SE(99.9 %) {dist.rel_se[0.999]:.3%}; EL {dist.expected_loss:,.0f}; VaR99.9 {var:,.0f}; "
          f"ES99.9 {es:,.0f}; ES contributions included")
    print(f"  brute force: {per * 1000:.1f} ms per scenario of {len(book):,} buyers ({NAIVE_SCENARIOS} timed); "
          f"plain MC needs {need:,} scenarios for {TARGET:.0%} → {need * per:,.0f} s "
          f"({need * per / 60:.1f} min); speed-up ×{need * per / wall:,.0f}")


def insurance_case(path: Path) -> None:
    """Gross and net of a policy and the six structures around it, same scenarios, 100,000 buyers."""
    from arguard.portfolio.cover import Cover
    from arguard.portfolio.model import Correlation, SimulationSettings
    from arguard.portfolio.service import book_from_file, insurance_value

    book = book_from_file(path)
    for label, corr in (("one factor", Correlation.one_factor(0.2)), ("country × sector", Correlation())):
        wall, cpu = time.perf_counter(), time.process_time()
        out = insurance_value(book, corr, Cover("policy", aggregate_first_loss=3e7), SimulationSettings(seed=SEED))
        print(f"insurance value, {label}: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU; {out['scenarios']:,} scenarios, "
              f"{len(out['structures'])} structures; recommended {out['recommended']}")


def main() -> None:
    print(describe())
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "buyers.csv"
        write_file(path)
        one_case(path, "one factor, rho 0.20", 0.20)
        one_case(path, "country × sector (global 0.10 + country 0.05 + sector 0.05)", None)
        insurance_case(path)
        for args in (["--rho", "0.2"], []):
            cli = Path(sys.executable).parent / "arguard"
            t = time.perf_counter()
            out = subprocess.run([str(cli), "portfolio", "simulate", "--buyers", str(path), *args, "--seed",
                                  str(SEED), "--format", "json"], capture_output=True, text=True, check=True)
            answer = json.loads(out.stdout)
            print(f"  CLI `arguard portfolio simulate --buyers FILE {' '.join(args)}`: "
                  f"{time.perf_counter() - t:.1f} s wall (process start, imports, file, simulation, JSON); "
                  f"rel_se {answer['rel_se']['0.999']}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
