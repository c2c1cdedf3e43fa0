"""Demo step: the provision saved at the end of the month before the demo's date, so that the dashboard
shows this month's provision with its movement and journal proposal. Six months of roll rates keep the
step to a few seconds on the small demo."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from arguard.demo.model import DemoWorld
from arguard.forecast.pages import recompute_page
from arguard.forecast.service_provisions import ProvisionRequest, save_provision
from arguard.platform.context import ServiceContext

DEMO_LOOKBACK_MONTHS = 6


def save_last_month_provision(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    last_month_end = world.as_of.replace(day=1) - timedelta(days=1)
    save_provision(ctx, ProvisionRequest(last_month_end, months=DEMO_LOOKBACK_MONTHS))
    recompute_page(ctx, world.as_of)  # the page opens on the stored answer (README rule 9)
