"""Cash-in forecast: backtests (IBM sample, demo company) and the speed of `forecast run` at scale.

1. Backtests of the IBM sample (`../shared/data/invoices/`, or ARGUARD_IBM_HISTORY) at four training
   dates: the JSON of `arguard forecast backtest` for each.
2. The small demo company (seed 42, history to 2026-11-30) built into a temporary SQLite database with
   `arguard demo --steps none`, its history exported with `arguard forecast history`, backtested at six
   dates (a quarter apart) on the invoices issued in the 13 weeks after; then `forecast run` and
   `provisions` on it, timed (wall and this process's CPU).
3. Scale: `forecast_book` (model fit on a capped sample, features, prediction, 200 scenarios) on a
   generated history of ARGUARD_BENCH_FORECAST_ROWS invoices (default 1,000,000; 20,000 buyers, about
   one in ten open), without a database; the ledger read (`invoice_history`) is timed on the demo and
   extrapolated per invoice.
4. The large demo for real: `arguard forecast run --as-of ARGUARD_BENCH_FORECAST_AS_OF (2026-12-04)
   --company DEMO` as a child process on each database of ARGUARD_BENCH_FORECAST_URLS (comma-separated;
   none: skipped), its wall and CPU (user + system, from the child's rusage).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.machine import describe

ROOT = Path(__file__).resolve().parent.parent
IBM = Path(os.environ.get("ARGUARD_IBM_HISTORY", ROOT.parent / "shared/data/invoices/ibm_ar_2012-01_to_2013-06.csv"))
ROWS = int(os.environ.get("ARGUARD_BENCH_FORECAST_ROWS", "1000000"))
SEED = 20240601
DEMO_CUTOFFS = ("2025-02-28", "2025-05-31", "2025-08-31", "2025-11-30", "2026-02-28", "2026-05-31")
OTHER_DEMOS = [(int(seed), date.fromisoformat(as_of)) for seed, as_of in (
    x.split("@") for x in os.environ.get("ARGUARD_BENCH_FORECAST_DEMOS", "7@2026-11-30,3@2026-06-30").split(",") if x)]
"""Further demo companies (seed@last day of history) backtested the same way: six month-end cut-offs a
quarter apart, the last six months before the history's end."""
LARGE_URLS = [u for u in os.environ.get("ARGUARD_BENCH_FORECAST_URLS", "").split(",") if u]
LARGE_AS_OF = os.environ.get("ARGUARD_BENCH_FORECAST_AS_OF", "2026-12-04")


def _timed(fn):  # type: ignore[no-untyped-def]
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def ibm() -> None:
    from arguard.forecast.backtest import run_backtest
    from arguard.forecast.estimators import CensoredQuantileGBM, CustomerAverageBaseline, DueDateBaseline
    from arguard.forecast.history import read_history

    history = read_history(IBM)
    for d in ("2012-09-30", "2012-12-31", "2013-02-28", "2013-04-30"):
        result, wall, cpu = _timed(lambda d=d: run_backtest(history, date.fromisoformat(d)))
        print(f"IBM {d}: {json.dumps(result.as_dict())} censored {result.censored} ({wall:.1f} s, CPU {cpu:.1f} s)")
    # The baselines are point forecasts; spread over the distribution of their training residuals instead,
    # how much of the model's weekly WAPE advantage is left?
    spread = run_backtest(history, date(2013, 2, 28), models=(
        CensoredQuantileGBM, lambda: DueDateBaseline(name="due_date_spread", point=False),
        lambda: CustomerAverageBaseline(name="customer_average_spread", point=False)))
    print(f"IBM 2013-02-28, baselines spread: {json.dumps(spread.as_dict()['baselines'])}")


def demo(folder: Path) -> None:
    from arguard.db.session import get_engine, session_scope
    from arguard.forecast.history import read_history
    from arguard.forecast.service import ForecastRequest, forecast_run
    from arguard.forecast.service_provisions import ProvisionRequest, provisions
    from arguard.ledger import interface as ledger
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import get_company

    url = f"sqlite:///{folder / 'demo.db'}"
    exe = Path(sys.executable).parent / "arguard"
    env = {**os.environ, "ARGUARD_DATABASE_URL": url}
    t = time.perf_counter()
    subprocess.run([str(exe), "demo", "--size", "small", "--seed", "42", "--as-of", "2026-11-30", "--steps", "none"],
                   check=True, env=env, capture_output=True)
    print(f"demo built in {time.perf_counter() - t:.0f} s")
    subprocess.run([str(exe), "forecast", "history", "--as-of", "2026-11-30", "--company", "DEMO", "--out",
                    str(folder / "history.csv")], check=True, env=env, capture_output=True)
    history = read_history(folder / "history.csv")
    backtests(history, 42, date(2026, 11, 30), [date.fromisoformat(d) for d in DEMO_CUTOFFS])
    engine = get_engine(url)
    with session_scope(engine) as s:
        ctx = ServiceContext(s, get_company(s, "DEMO").id, "bench", "admin")
        h, wall, cpu = _timed(lambda: ledger.invoice_history(ctx, date(2026, 11, 30)))
        print(f"invoice_history of {len(h):,} invoices: {wall:.2f} s (CPU {cpu:.2f} s) → "
              f"{wall / len(h) * 1e6:.1f} µs an invoice")
        answer, wall, cpu = _timed(lambda: forecast_run(ctx, ForecastRequest(date(2026, 11, 30), seed=SEED)))
        print(f"forecast run: {answer['open_invoices']:,} open of {len(h):,}: {wall:.1f} s (CPU {cpu:.1f} s); "
              f"13 weeks expected {sum(float(w['expected']) for w in answer['weekly']):,.0f} {answer['currency']} "
              f"of {float(answer['open_total']):,.0f} open")
        prov, wall, cpu = _timed(lambda: provisions(ctx, ProvisionRequest(date(2026, 11, 30))))
        print(f"provisions (12 month-ends): {wall:.1f} s (CPU {cpu:.1f} s); matrix {prov['total']['expected_loss']}"
              f", PD×LGD×EAD {prov['buyers_total']['expected_loss']} {prov['currency']}")
        for r in prov["matrix"]:
            print(f"  {r['bucket']:>8} {float(r['balance']):>14,.2f} {float(r['loss_rate']):>9.4%} "
                  f"{float(r['expected_loss']):>12,.2f}")


def backtests(history, seed: int, as_of: date, cutoffs: list[date]) -> None:  # type: ignore[no-untyped-def]
    """Backtests at the cut-offs, 13 weeks predicted, each beside its ceiling (`ceiling`)."""
    from arguard.forecast.backtest import run_backtest

    tag = "demo" if seed == 42 else f"demo seed {seed}"
    for d in cutoffs:
        result, wall, cpu = _timed(lambda d=d: run_backtest(history, d, predict_weeks=13))
        print(f"{tag} {d} (13 weeks): {json.dumps(result.as_dict())} censored {result.censored} "
              f"({wall:.1f} s, CPU {cpu:.1f} s)")
        ceiling(history, d, seed=seed, as_of=as_of)


def other_demos(folder: Path) -> None:
    """Backtests of the demo companies of `OTHER_DEMOS` (ledger only, no capability steps)."""
    import pandas as pd

    from arguard.forecast.history import read_history

    exe = Path(sys.executable).parent / "arguard"
    for seed, as_of in OTHER_DEMOS:
        env = {**os.environ, "ARGUARD_DATABASE_URL": f"sqlite:///{folder / f'demo{seed}.db'}"}
        subprocess.run([str(exe), "demo", "--size", "small", "--seed", str(seed), "--as-of", as_of.isoformat(),
                        "--steps", "none"], check=True, env=env, capture_output=True)
        out = folder / f"history{seed}.csv"
        subprocess.run([str(exe), "forecast", "history", "--as-of", as_of.isoformat(), "--company", "DEMO", "--out",
                        str(out)], check=True, env=env, capture_output=True)
        last = pd.Timestamp(as_of) - pd.offsets.MonthEnd(6) if pd.Timestamp(as_of).is_month_end \
            else pd.Timestamp(as_of) - pd.offsets.MonthEnd(7)
        cutoffs = [(last - pd.offsets.MonthEnd(3 * k)).date() for k in range(5, -1, -1)]
        backtests(read_history(out), seed, as_of, cutoffs)


def ceiling(history, cut: date, weeks: int = 13, draws: int = 2000, seed: int = 42,  # type: ignore[no-untyped-def]
            as_of: date = date(2026, 11, 30)) -> None:
    """What a forecast could score at best on the demo's backtest at `cut`: the simulator's own
    distribution of each predicted invoice's payment day (demo rule 6, `lateness_draws`, with the buyer's
    true habit, PD and default day), moved to the buyer's run day as detected on the cut-off (rule 9),
    conditioned on payment by the file's last day as the backtest is. Its median scores the MAE, its
    P(late) > ½ the late calls."""
    import numpy as np
    import pandas as pd

    from arguard.demo.history import lateness_draws
    from arguard.demo.model import SIZES
    from arguard.demo.service import make_world
    from arguard.forecast.backtest import _as_known_on
    from arguard.forecast.features import day_numbers, delays, payment_runs

    world = make_world(SIZES["small"], seed, as_of)
    stamp = pd.Timestamp(cut)
    later = history[(history["issue"] > stamp) & (history["issue"] <= stamp + pd.Timedelta(weeks=weeks))
                    & history["settled"].notna()]
    start = int(day_numbers(pd.Series([pd.Timestamp(world.start_on)]))[0])
    due, issue = day_numbers(later["due"]), day_numbers(later["issue"])
    late = lateness_draws(world, later["customer"].to_numpy(), due - start, draws, np.random.default_rng(SEED))
    day = np.maximum(due[:, None] + late, issue[:, None] + 1)
    cadence, phase = payment_runs(later["customer"], _as_known_on(history, stamp), int(day_numbers(pd.Series([stamp]))[0]) + 1)
    runs = cadence > 0
    day[runs] += (phase[runs, None] - day[runs]) % cadence[runs, None]
    end = int(max(day_numbers(history["issue"]).max(), day_numbers(history["settled"]).max()))
    day = np.where(day <= end, day, np.nan)
    actual = due + delays(later).astype(np.int64)
    median = np.rint(np.nanmedian(day, axis=1))
    p_late = np.nanmean(np.where(np.isnan(day), np.nan, day > due[:, None]), axis=1)
    print(f"demo seed {seed} {cut} ceiling (the simulator's own distribution, {draws} draws): MAE "
          f"{np.mean(np.abs(median - actual)):.2f} days, late accuracy {np.mean((p_late > 0.5) == (actual > due)):.3f} "
          f"(share paid late {np.mean(actual > due):.3f}; called on time: {int(np.sum(p_late <= 0.5))})")


def generated(rows: int, seed: int = SEED):  # type: ignore[no-untyped-def]
    """A history of `rows` invoices of 20,000 buyers over three years to 2026-11-30 (open: not settled by then)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    buyers = 20_000
    habit = rng.normal(5, 10, buyers)
    b = rng.integers(0, buyers, rows)
    issue = np.datetime64("2023-12-01") + rng.integers(0, 1095, rows).astype("timedelta64[D]")
    due = issue + rng.choice([30, 60], rows).astype("timedelta64[D]")
    delay = np.rint(habit[b] + rng.normal(0, 6, rows)).astype(np.int64)
    settled = np.maximum(due + delay.astype("timedelta64[D]"), issue)
    as_of = np.datetime64("2026-11-30")
    settled = np.where(settled <= as_of, settled, np.datetime64("NaT"))
    amount = np.round(rng.lognormal(8, 1, rows), 2)
    frame = pd.DataFrame({"number": np.arange(rows).astype(str), "customer": b.astype(str), "currency": "EUR",
                          "issue": issue.astype("datetime64[s]"), "due": due.astype("datetime64[s]"),
                          "settled": settled.astype("datetime64[s]"), "amount": amount,
                          "disputed": (rng.random(rows) < 0.05).astype(np.int8), "paper": np.nan})
    frame["open_minor"] = np.where(frame["settled"].isna(), np.rint(amount * 100), 0).astype(np.int64)
    frame["label_ok"] = frame["settled"].notna()
    return frame


def scale() -> None:
    from arguard.forecast.service import ForecastRequest, forecast_book

    frame, wall, _ = _timed(lambda: generated(ROWS))
    print(f"generated {ROWS:,} invoices ({int((frame['open_minor'] > 0).sum()):,} open) in {wall:.1f} s")
    answer, wall, cpu = _timed(lambda: forecast_book(frame, ForecastRequest(date(2026, 11, 30), seed=SEED), "EUR",
                                                     {"EUR": 1.0}, {}))
    print(f"forecast_book on {ROWS:,} invoices ({answer['open_invoices']:,} open, {answer['scenarios']} scenarios): "
          f"{wall:.1f} s (CPU {cpu:.1f} s)")


def large(url: str) -> None:
    import resource

    exe = Path(sys.executable).parent / "arguard"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load, t = os.getloadavg()[0], time.perf_counter()
    done = subprocess.run([str(exe), "forecast", "run", "--as-of", LARGE_AS_OF, "--company", "DEMO", "--format", "json",
                           "--quiet"], check=False, env={**os.environ, "ARGUARD_DATABASE_URL": url},
                          capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode:
        print(f"forecast run on {url}: failed ({done.stderr.strip()[-300:]})")
        return
    answer = json.loads(done.stdout)
    print(f"forecast run on {url.split('@')[-1]}: {answer['open_invoices']:,} open, {answer['trained_on']:,} settled "
          f"known: {wall:.1f} s wall, CPU {cpu:.1f} s (load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")


def main() -> None:
    print(describe())
    print(f"seed {SEED}, load average before: {os.getloadavg()[0]:.1f}")
    ibm()
    with tempfile.TemporaryDirectory() as folder:
        demo(Path(folder))
        other_demos(Path(folder))
    scale()
    for url in LARGE_URLS:
        large(url)


if __name__ == "__main__":
    main()
