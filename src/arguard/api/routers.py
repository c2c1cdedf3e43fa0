"""Every capability's API router, read from the registry (arguard.platform.registry)."""

from fastapi import APIRouter

from arguard.platform import registry


def routers() -> list[APIRouter]:
    return registry.api_routers()
