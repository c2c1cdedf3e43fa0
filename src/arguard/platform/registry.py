"""The one registry of capabilities: each capability declares, in one place, everything it brings.

A capability is a folder `src/arguard/<name>/` with a module `capability.py` that defines::

    from arguard.platform.registry import Capability, Nav, Panel, Subscription, DemoStepRef

    CAPABILITY = Capability(
        name="collections",
        api=("arguard.collections.api:router",),            # FastAPI routers under /api/v1
        web=("arguard.collections.web:router",),            # dashboard routers
        cli="arguard.collections.cli:register",             # fn(app: typer.Typer) -> None
        tables="arguard.collections.tables",                # module defining its SQLAlchemy tables
        migrations="collections",                           # its Alembic branch label
        subscriptions=(Subscription("ledger.*", "arguard.collections.reactions:on_ledger"),),
        nav=(Nav("/collections", "collections.nav", 70),),
        panels=(Panel("collections/customer_panel.html", "arguard.collections.web:panel", 80),),
        translations=("arguard.collections.messages:MESSAGES",),   # key -> (English, 中文)
        demo=(DemoStepRef("collections", "arguard.collections.demo:build", 60),),
        background=("arguard.collections.worker:background",),  # async context managers the server runs
        provides=(Provide("limits.collections", "arguard.collections.interface:in_collections"),),
    )

and one line in `arguard/capabilities.py` (the ordered list of capability modules). Nothing is wired as
a side effect of importing a module: the API app, the dashboard, the CLI, the worker and the migrations
read this registry. References are "module:attribute" strings resolved when first needed, so that the
CLI's start-up does not import FastAPI, pandas or LightGBM for a command that does not use them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Nav:
    """A top-navigation entry: path of the page, i18n key of its label, position (lower first)."""

    path: str
    label_key: str
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A section of the customer page: template under web/templates, "module:fn" giving its data
    (ctx, customer_code, as_of) -> mapping | None, and its position (the ledger's own use 10–40)."""

    template: str
    context: str
    order: int = 50


@dataclass(frozen=True)
class Subscription:
    """React to published facts: an event pattern ('ledger.*', 'insolvency.filing', '*') and the
    "module:fn" handler taking a list of `arguard.platform.events.Fact`."""

    pattern: str
    handler: str


@dataclass(frozen=True)
class DemoStepRef:
    """A demo step: name, "module:fn" (ctx, world, rng) -> None, order (see arguard.demo.steps)."""

    name: str
    run: str
    order: int = 50


@dataclass(frozen=True)
class CliCommand:
    """A top-level command (or group) the capability's `cli` register function adds, with its one-line
    help: `arguard --help` lists it without importing the capability's CLI module, which is imported
    only when the command runs (the CLI starts light)."""

    name: str
    help: str


@dataclass(frozen=True)
class Provide:
    """An answer this capability gives at another's plug-in point: the point's name (owned and
    documented by the capability that asks, e.g. 'limits.collections') and the "module:attr" answering
    it. The asking capability reads `registry.provided(point)`; nobody overwrites a module global."""

    point: str
    ref: str


@dataclass(frozen=True)
class Capability:
    """What one capability brings. Every reference is a "module:attribute" (or module) string."""

    name: str
    api: tuple[str, ...] = ()
    web: tuple[str, ...] = ()
    cli: str | None = None
    cli_commands: tuple[CliCommand, ...] = ()
    """The names `cli` adds at the top level; declared, they load lazily (see CliCommand)."""
    tables: str | None = None
    migrations: str | None = None
    subscriptions: tuple[Subscription, ...] = ()
    nav: tuple[Nav, ...] = ()
    panels: tuple[Panel, ...] = ()
    translations: tuple[str, ...] = ()
    demo: tuple[DemoStepRef, ...] = ()
    background: tuple[str, ...] = ()
    """"module:fn" of async context managers fn(app) that live as long as the server (workers, schedulers)."""
    provides: tuple[Provide, ...] = ()
    public: tuple[str, ...] = ()
    """Modules of the folder other capabilities may import besides `interface`, `model` and `capability`
    (the platform's shared kernel); checked by tests/test_architecture.py."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form declarations a later plug-in point may read (kept out of the core fields)."""


def resolve(ref: str) -> Any:
    """Import "package.module:attr" (or a plain module path) and return the object."""
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


_EXTRA: list[Capability] = []
_LOADED: list[Capability] | None = None


def capabilities() -> list[Capability]:
    """Every registered capability, in the order of `arguard.capabilities.MODULES`, then any added
    at run time with `register` (tests)."""
    global _LOADED
    if _LOADED is None:
        from arguard.capabilities import MODULES

        _LOADED = [resolve(f"{m}:CAPABILITY") for m in MODULES]
    names = {c.name for c in _EXTRA}
    return [c for c in _LOADED if c.name not in names] + list(_EXTRA)


def register(capability: Capability) -> None:
    """Add (or replace, by name) a capability at run time — for tests and plug-ins outside the tree."""
    _EXTRA[:] = [c for c in _EXTRA if c.name != capability.name]
    _EXTRA.append(capability)


def unregister(name: str) -> None:
    """Take a capability added with `register` away again: its subscriptions, nav entries and panels too."""
    unwire(name)
    uninstall_dashboard(name)
    _EXTRA[:] = [c for c in _EXTRA if c.name != name]


def get(name: str) -> Capability:
    for cap in capabilities():
        if cap.name == name:
            return cap
    raise KeyError(name)


def each(attribute: str) -> Iterator[tuple[Capability, Any]]:
    """(capability, item) for every item of a tuple field, in registry order."""
    for cap in capabilities():
        for item in getattr(cap, attribute):
            yield cap, item


def api_routers() -> list[Any]:
    return [resolve(ref) for _, ref in each("api")]


def web_routers() -> list[Any]:
    return [resolve(ref) for _, ref in each("web")]


def provided(point: str) -> list[Any]:
    """The resolved answers every capability declares for plug-in point `point`, in registry order."""
    return [resolve(p.ref) for _, p in each("provides") if p.point == point]


def background_tasks() -> list[Any]:
    """Every capability's server-lifetime context managers (fn(app) -> async context manager)."""
    return [resolve(ref) for _, ref in each("background")]


def table_modules() -> list[str]:
    return [c.tables for c in capabilities() if c.tables]


def import_tables() -> None:
    """Import every capability's tables so that the metadata (and Alembic) sees them all."""
    for module in table_modules():
        importlib.import_module(module)


def register_cli(app: Any, *, lazy: bool = False) -> None:
    """Add every capability's commands to the Typer `app`; with `lazy`, only those of capabilities that
    do not declare `cli_commands` (the root app's `LazyGroup` loads the declared ones when they run)."""
    for cap in capabilities():
        if cap.cli and not (lazy and cap.cli_commands):
            register_fn: Callable[[Any], None] = resolve(cap.cli)
            register_fn(app)


def lazy_commands() -> dict[str, tuple[str, str]]:
    """Top-level command name → (the capability's cli register reference, one-line help), as declared."""
    return {c.name: (cap.cli, c.help) for cap in capabilities() if cap.cli for c in cap.cli_commands}


def translations() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for _, ref in each("translations"):
        merged.update(resolve(ref))
    return merged


class LazyHandler:
    """A subscriber named by "module:fn", imported on its first fact: wiring the CLI's subscriptions
    must not import the handlers' libraries (pandas, LightGBM) for a command that records no fact."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self.__name__ = ref

    def __call__(self, facts: list[Any]) -> None:
        resolve(self.ref)(facts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyHandler) and other.ref == self.ref

    def __hash__(self) -> int:
        return hash(self.ref)


_WIRED: set[str] = set()


def wire_subscriptions() -> None:
    """Subscribe every declared handler to the event bus (idempotent). Called by the API app, the CLI
    and the worker at start-up, so a fact reaches the same subscribers whichever way it was recorded."""
    from arguard.platform.events import subscribe

    for cap, sub in each("subscriptions"):
        key = f"{cap.name}|{sub.pattern}|{sub.handler}"
        if key in _WIRED:
            continue
        subscribe(sub.pattern, LazyHandler(sub.handler))
        _WIRED.add(key)


def unwire(name: str) -> None:
    """Remove a capability's subscriptions from the bus (tests)."""
    from arguard.platform.events import unsubscribe

    for cap, sub in each("subscriptions"):
        key = f"{cap.name}|{sub.pattern}|{sub.handler}"
        if cap.name == name and key in _WIRED:
            unsubscribe(sub.pattern, LazyHandler(sub.handler))
            _WIRED.discard(key)


_INSTALLED: set[str] = set()


def install_dashboard() -> None:
    """Add every declared navigation entry, customer-page panel and translation to the dashboard's
    shared registries (idempotent). Called when the dashboard is mounted."""
    from arguard.web import i18n
    from arguard.web.common import add_customer_panel, add_nav

    for cap in capabilities():
        if cap.name in _INSTALLED:
            continue
        for ref in cap.translations:
            i18n.register(resolve(ref))
        for nav in cap.nav:
            add_nav(nav.path, nav.label_key, nav.order)
        for panel in cap.panels:
            add_customer_panel(panel.template, resolve(panel.context), panel.order)
        _INSTALLED.add(cap.name)


def uninstall_dashboard(name: str) -> None:
    """Remove a capability's navigation entries and customer-page panels from the dashboard (tests)."""
    if name not in _INSTALLED:
        return
    from arguard.web.common import CUSTOMER_PANELS, NAV

    cap = get(name)
    NAV[:] = [n for n in NAV if n.path not in {nav.path for nav in cap.nav}]
    CUSTOMER_PANELS[:] = [p for p in CUSTOMER_PANELS if p.template not in {pn.template for pn in cap.panels}]
    _INSTALLED.discard(name)
