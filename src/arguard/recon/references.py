"""Reading references out of what payers write.

People write invoice `INV-2024-00123` as `inv 2024/123`, `INV2024-123`, `RE 202400123` or
`Rechnung 2024-00123`. We compare references through *keys*: the alphanumeric form, the digits, and
the numeric groups without leading zeros. Creditor references follow ISO 11649 (`RF` + two check digits
+ up to 21 characters, checked with ISO 7064 MOD 97-10).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_DIGIT_GROUPS = re.compile(r"\d+")
_TOKEN = re.compile(r"[0-9A-Z]+(?:[-/._][0-9A-Z]+)*")
_RF_FULL = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")
_AS_DIGITS = {ord(ch): str(int(ch, 36)) for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
"""ISO 7064: each letter counts as its two-digit value (A = 10 … Z = 35)."""
_RF = re.compile(r"RF\s?(\d{2})((?:\s?[0-9A-Z]){1,21})")

# Words payers put in front of a number; stripped so that "RE123" and "123" meet.
_PREFIX_WORDS = frozenset(
    ["INV", "INVOICE", "INVOICES", "RE", "RG", "RECH", "RECHN", "RECHNUNG", "RECHNUNGEN", "FACT", "FACTUUR", "FACTUREN", "FACTURE", "FACTURA", "FAKTURA", "NR", "NO", "NUMBER", "NUMMER", "NUM", "REF", "REFERENCE", "PAYMENT", "PMT", "BILL", "FP"]
)


def normalise(text: str) -> str:
    """Upper case, only letters and digits: 'inv-2024/00123' -> 'INV202400123'."""
    return _NON_ALNUM.sub("", text.upper())


def numeric_key(text: str) -> str | None:
    """Numeric groups without leading zeros, joined by '.': 'INV-2024-00123' -> '2024.123'.

    None when the text holds no digit. Letters are dropped, so 'INV 2024/123' meets 'RE2024-00123'.
    """
    groups = [g.lstrip("0") or "0" for g in _DIGIT_GROUPS.findall(text)]
    return ".".join(groups) if groups else None


def digits_key(text: str) -> str | None:
    """All digits run together, leading zeros dropped: 'INV-2024-00123' -> '202400123'."""
    digits = "".join(_DIGIT_GROUPS.findall(text)).lstrip("0")
    return digits or None


def reference_keys(number: str) -> tuple[str, ...]:
    """Keys under which a document number is indexed, strongest first.

    Always the full alphanumeric form; the numeric forms only when the number has at least four
    digits, so that short numbers like '12' do not meet every amount and date in the text.
    """
    full = normalise(number)
    groups = _DIGIT_GROUPS.findall(number)
    digits = "".join(groups)
    if len(digits) < 4:
        return (full,) if full else ()
    # numeric_key and digits_key from one scan of the digits (this runs once per open item)
    dk = "#" + digits.lstrip("0")
    if len(groups) == 1 and dk != "#":
        return (full, dk) if full else (dk,)     # one group: both numeric keys are the same
    nk = "#" + ".".join([g.lstrip("0") or "0" for g in groups])
    keys = [full] if full else []
    for k in (nk, dk):
        if k != "#" and k not in keys:
            keys.append(k)
    return tuple(keys)


def _strip_prefix_words(tokens: list[str]) -> list[str]:
    return [t for t in tokens if _NON_ALNUM.sub("", t) not in _PREFIX_WORDS]


def text_keys(text: str, max_words: int = 3) -> Iterator[tuple[str, str]]:
    """Candidate keys found in free text, with the fragment they came from.

    Yields keys of every token and of runs of up to `max_words` adjacent tokens (payers split numbers
    with spaces: 'INV 2024 00123'), so that each can be looked up in a reference index.
    """
    upper = text.upper()
    seen: set[str] = set()
    words = _strip_prefix_words(_TOKEN.findall(upper))
    # Whole words ('INV-2024-00123'), then their parts ('RE1/RE2' lists several numbers).
    parts = _strip_prefix_words([p for w in words for p in re.split(r"[-/._]", w) if p])
    for tokens, span in ((words, max_words), (parts, max_words + 1)):
        for i in range(len(tokens)):
            for n in range(1, span + 1):
                if i + n > len(tokens):
                    break
                frag = " ".join(tokens[i : i + n])
                for key in _fragment_keys(tokens[i : i + n]):
                    if key not in seen:
                        seen.add(key)
                        yield key, frag


def _fragment_keys(parts: list[str]) -> list[str]:
    joined = "".join(parts)
    keys = [normalise(joined)]
    digits = "".join(_DIGIT_GROUPS.findall(joined))
    if len(digits) >= 4:
        keys.append(f"#{numeric_key(' '.join(parts))}")
        alt = f"#{digits.lstrip('0')}"
        if alt not in keys:
            keys.append(alt)
    return keys


def rf_is_valid(reference: str) -> bool:
    """True when `reference` is a well-formed ISO 11649 creditor reference (check digits verified)."""
    ref = normalise(reference)
    if not _RF_FULL.fullmatch(ref):
        return False
    return int((ref[4:] + ref[:4]).translate(_AS_DIGITS)) % 97 == 1


def rf_make(body: str) -> str:
    """Build the ISO 11649 reference for `body` (letters and digits, at most 21): 'RF18539007547034'."""
    core = normalise(body)
    if not 1 <= len(core) <= 21:
        raise ValueError("an RF reference body has 1 to 21 letters or digits")
    numeric = "".join(str(int(ch, 36)) for ch in core + "RF00")
    check = 98 - int(numeric) % 97
    return f"RF{check:02d}{core}"


def rf_find(text: str) -> list[str]:
    """Every valid RF creditor reference in free text (spaces inside allowed), normalised."""
    found: list[str] = []
    upper = text.upper()
    for m in _RF.finditer(upper):
        body = m.group(2).replace(" ", "")
        # The body may have swallowed following words; try the longest valid prefix.
        for end in range(len(body), 0, -1):
            cand = f"RF{m.group(1)}{body[:end]}"
            if rf_is_valid(cand):
                if cand not in found:
                    found.append(cand)
                break
    return found
