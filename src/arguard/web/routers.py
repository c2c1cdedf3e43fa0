"""Every capability's dashboard router. One line per capability."""

from fastapi import APIRouter

from arguard.ledger.web import router as ledger_web

WEB_ROUTERS: list[APIRouter] = [ledger_web]
