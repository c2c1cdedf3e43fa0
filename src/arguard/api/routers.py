"""Every capability's API router, read from the registry (arguard.platform.registry)."""

from fastapi import APIRouter

from arguard.platform import registry


class MatchedFirst(APIRouter):
    """A router of a hot path (a few exact paths, e.g. the order credit check): included before every
    other router, so a request for it is not matched against the other routers' routes first (FastAPI
    tries routes in order; each included router costs its whole list of routes)."""


def routers() -> list[APIRouter]:
    """In registry order, routers that are `MatchedFirst` first."""
    found = registry.api_routers()
    return [r for r in found if isinstance(r, MatchedFirst)] + [r for r in found if not isinstance(r, MatchedFirst)]
