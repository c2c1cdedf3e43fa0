"""The demo steps registry: each capability adds its own data to the demo company.

A capability writes `src/arguard/<capability>/demo.py` and registers a step there::

    from arguard.demo.steps import demo_step

    @demo_step("limits", order=40)
    def limits_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
        ...  # call your own service with ctx; read world.buyers (hidden pd_12m, country, sector …)

`build_demo` finds every `arguard.<package>.demo` module by itself (no shared file to edit), then runs
the steps by `order` (then name) after the ledger is written: each in its own unit of work, with its
own `Random` seeded from the demo seed and the step name (adding a step never changes another's data),
as actor `system:demo` with the admin role. A step that fails is reported and rolled back; the rest of
the demo stays usable.

Suggested orders: 10 ledger extras, 20 risk (financial statements, grades), 40 limits and orders,
50 reconciliation (bank statements), 80 monitoring (events, alerts) — later steps see earlier data.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING

from arguard.demo.model import DemoWorld

if TYPE_CHECKING:
    from arguard.platform.context import ServiceContext

StepFn = Callable[["ServiceContext", DemoWorld, Random], None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: StepFn
    order: int = 50


DEMO_STEPS: list[DemoStep] = []


def register_step(name: str, run: StepFn, order: int = 50) -> None:
    """Add (or replace, by name) a demo step."""
    DEMO_STEPS[:] = [s for s in DEMO_STEPS if s.name != name]
    DEMO_STEPS.append(DemoStep(name, run, order))


def demo_step(name: str, order: int = 50) -> Callable[[StepFn], StepFn]:
    """Decorator form of `register_step`."""

    def deco(fn: StepFn) -> StepFn:
        register_step(name, fn, order)
        return fn

    return deco


def discover_steps() -> list[DemoStep]:
    """Import every `arguard.<package>.demo` module, then return the steps in running order."""
    import arguard

    for info in pkgutil.iter_modules(arguard.__path__):
        if not info.ispkg or info.name == "demo":
            continue
        name = f"arguard.{info.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 -- a broken module is reported like a failed step
            register_step(info.name, _failing(name, exc), order=1000)
    from arguard.platform import registry

    for _cap, ref in registry.each("demo"):
        try:
            register_step(ref.name, registry.resolve(ref.run), ref.order)
        except Exception as exc:  # noqa: BLE001 -- a broken module is reported like a failed step
            register_step(ref.name, _failing(ref.run, exc), order=1000)
    return sorted(DEMO_STEPS, key=lambda s: (s.order, s.name))


def _failing(module: str, exc: Exception) -> StepFn:
    def run(_ctx: ServiceContext, _world: DemoWorld, _rng: Random) -> None:
        raise RuntimeError(f"{module} cannot be imported: {exc!r}")

    return run


def step_rng(seed: int, name: str) -> Random:
    """The step's own random stream: same seed and name, same numbers."""
    return Random(f"{seed}:{name}")
