"""Every capability's dashboard router. One line per capability."""

from fastapi import APIRouter

from arguard.ledger.web import router as ledger_web
from arguard.limits.web import router as limits_web
from arguard.monitor.web import router as monitor_web
from arguard.recon.web import router as recon_web
from arguard.risk.web import router as risk_web

WEB_ROUTERS: list[APIRouter] = [ledger_web, monitor_web, risk_web, limits_web, recon_web]
