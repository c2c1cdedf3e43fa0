"""Collections demo step."""

from typing import Any

from arguard.platform.context import ServiceContext


def build(ctx: ServiceContext, world: Any, rng: Any) -> None:
    return None
