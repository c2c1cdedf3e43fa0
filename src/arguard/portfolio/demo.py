"""Portfolio demo step: the demo book's loss distribution, recorded in the audit log (fast settings)."""

from __future__ import annotations

from random import Random

from arguard.demo.model import DemoWorld
from arguard.platform.context import ServiceContext


def build(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    """Simulate the demo company's open receivables as of the world's last day (seed printed in the
    audit entry) so the portfolio page and the assessment have a recorded first answer."""
    from arguard.portfolio.model import Correlation, SimulationSettings
    from arguard.portfolio.service import page_answer, simulate, stored_book

    as_of, seed = world.as_of, world.seed
    stored = stored_book(ctx, as_of)
    if len(stored.book) == 0:
        return
    dist, seconds = simulate(stored.book, Correlation(), SimulationSettings(
        seed=seed, min_scenarios=16_384, chunk=2_048, target_rel_se=0.05, contributions=False))
    ctx.audit("portfolio.simulated", "portfolio", as_of.isoformat(), reason="demo",
              after={"seed": seed, "buyers": dist.buyers, "scenarios": dist.scenarios,
                     "expected_loss": round(dist.expected_loss, 2), "var_999": round(dist.tail.var[0.999], 2),
                     "es_999": round(dist.tail.es[0.999], 2), "seconds": round(seconds, 2)})
    page_answer(ctx, stored, as_of)  # the portfolio page opens on the stored answer (README rule 13)
