"""The monitoring capability's front door: post an event, read alerts and tasks.

Other capabilities import `arguard.monitor.interface` and `arguard.monitor.model` only; to raise an
alert, publish a fact (arguard.platform.events.publish) or post an event here.
"""

from arguard.monitor.delivery import send_email
from arguard.monitor.model import EventRecord
from arguard.monitor.service import evaluate_buyers, list_alerts, list_tasks, post_event

__all__ = ["EventRecord", "evaluate_buyers", "list_alerts", "list_tasks", "post_event", "send_email"]
