"""The matcher's reasons in the reader's language (dashboard). Pure.

The engine states each reason in English words (decide.py, parties.py); the common forms are matched
here and written through the keys `recon.why.<name>` (recon/messages.py). A reason of another form is
shown as the engine wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Translate = Callable[..., str]
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"^no reference, unknown payer$", "no_reference"),
    (r"^no reference, unknown payer, (?P<n>\d+) open items of this amount$", "no_reference_same"),
    (r"^only the amount fits \(payer unknown, no reference\)$", "amount_only"),
    (r"^payer account (?P<account>\S+) is the customer's$", "account"),
    (r"^payer name '(?P<name>.*)' is a confirmed alias$", "alias"),
    (r"^payer name '(?P<name>.*)' equals the customer name$", "name_equal"),
    (r"^payer name '(?P<name>.*)' resembles '(?P<customer>.*)'$", "name_like"),
    (r"^(?P<n>\d+) open items add up to the payment$", "subset"),
    (r"^(?P<n>\d+) open items add up to the payment \(not unique\)$", "subset_not_unique"),
    (r"^(?P<n>\d+) open items add up to the payment plus bank charges$", "subset_charges"),
    (r"^amount equals the open amounts?$", "amount_equal"),
    (r"^amount equals some of the referenced items$", "amount_some"),
    (r"^short by (?P<amount>\S+): bank charges$", "charges"),
    (r"^partial payment: (?P<paid>\S+) of (?P<total>\S+)$", "partial"),
    (r"^the only open item of (?P<amount>.+)$", "only_item"),
    (r"^(?P<n>\d+) open items of (?P<amount>.+): the oldest proposed$", "oldest_of_same"),
    (r"^paid by another customer \((?P<customer>.+)\): third-party payment$", "third_party"),
    (r"^pays (?P<amount>\S+) more than the referenced items: the rest stays unapplied$", "overpaid"),
    (r"^instructed amount (?P<amount>.+)$", "instructed"),
    (r"^converted at the (?P<on>\S+) rate (?P<rate>\S+)$", "converted"),
    (r"^no booking date on the entry: a person books it$", "no_date"),
    (r"^short by (?P<amount>\S+): net of credit note\(s\) (?P<notes>.+) \((?P<credit>\S+)\)$", "net_of_credit"),
    (r"^short by (?P<amount>\S+): net of credit note\(s\) (?P<notes>.+) \((?P<credit>\S+)\) and bank charges$",
     "net_of_credit_charges"),
    (r"^(?P<n>\d+) open item\(s\) less credit note\(s\) (?P<notes>.+) \((?P<credit>\S+)\) add up to the payment$",
     "less_credit"),
    ((r"^(?P<n>\d+) open item\(s\) less credit note\(s\) (?P<notes>.+) \((?P<credit>\S+)\) add up to the payment "
      r"\(not unique\)$"), "less_credit_not_unique"),
))


def reason_text(t: Translate, reason: str) -> str:
    for pattern, name in _FORMS:
        m = pattern.match(reason)
        if m:
            key = f"recon.why.{name}"
            text = t(key, **m.groupdict())
            return reason if text == key else text
    return reason
