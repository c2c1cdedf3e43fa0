"""Every capability's dashboard router, read from the registry (arguard.platform.registry)."""

from fastapi import APIRouter

from arguard.platform import registry


def web_routers() -> list[APIRouter]:
    return registry.web_routers()
