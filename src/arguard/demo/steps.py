"""The demo steps: each capability adds its own data to the demo company.

A capability writes a step function in its own module and declares it in its `capability.py`::

    demo=(DemoStepRef("limits", "arguard.limits.demo:limits_demo", 40),)

    def limits_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
        ...  # call your own service with ctx; read world.buyers (hidden pd_12m, country, sector …)

`build_demo` reads the steps from the registry (arguard.platform.registry), then runs them by `order`
(then name) after the ledger is written: each in its own unit of work, with its own `Random` seeded
from the demo seed and the step name (adding a step never changes another's data), as actor
`system:demo` with the admin role. A step that fails, or whose module cannot be imported, is reported
and rolled back; the rest of the demo stays usable. `register_step` adds a step at run time (tests).

Suggested orders: 10 ledger extras, 20 risk (financial statements, grades), 40 limits and orders,
50 reconciliation (bank statements), 80 monitoring (events, alerts) — later steps see earlier data.
"""

from __future__ import annotations

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


def discover_steps() -> list[DemoStep]:
    """Every declared step (the registry's `demo=` entries) and every step added with `register_step`,
    in running order. A step whose module cannot be imported becomes a step that fails with the cause."""
    from arguard.platform import registry

    declared: dict[str, DemoStep] = {}
    for _cap, ref in registry.each("demo"):
        try:
            declared[ref.name] = DemoStep(ref.name, registry.resolve(ref.run), ref.order)
        except Exception as exc:  # noqa: BLE001 -- a broken module is reported like a failed step
            declared[ref.name] = DemoStep(ref.name, _failing(ref.run, exc), 1000)
    declared.update({s.name: s for s in DEMO_STEPS})
    return sorted(declared.values(), key=lambda s: (s.order, s.name))


def _failing(module: str, exc: Exception) -> StepFn:
    def run(_ctx: ServiceContext, _world: DemoWorld, _rng: Random) -> None:
        raise RuntimeError(f"{module} cannot be imported: {exc!r}")

    return run


def step_rng(seed: int, name: str) -> Random:
    """The step's own random stream: same seed and name, same numbers."""
    return Random(f"{seed}:{name}")
