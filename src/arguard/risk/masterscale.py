"""The master scale: 12-month PD bands → grades 1 (exceptional) … 9 (at risk of failure), 10 (insolvent).

Bands double from one grade to the next (geometric), like the scales of trade-credit insurers, so a
grade step means roughly twice the risk everywhere on the scale. Grade 10 is not a PD band: it is
given only when an insolvency or a default is on record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Band:
    """Grade `grade` covers lower ≤ PD < upper; `label` is the analyst's word for it."""

    grade: int
    lower: float
    upper: float
    label: str


BANDS: tuple[Band, ...] = (
    Band(1, 0.0, 0.0010, "exceptional"),
    Band(2, 0.0010, 0.0025, "excellent"),
    Band(3, 0.0025, 0.0050, "very good"),
    Band(4, 0.0050, 0.0100, "good"),
    Band(5, 0.0100, 0.0200, "average"),
    Band(6, 0.0200, 0.0400, "fair"),
    Band(7, 0.0400, 0.0800, "weak"),
    Band(8, 0.0800, 0.1600, "poor"),
    Band(9, 0.1600, 1.0000, "at risk of failure"),
    Band(10, 1.0, 1.0, "insolvent or in default"),
)
DEFAULT_GRADE = 10
_UPPERS = np.array([b.upper for b in BANDS[:8]])


def grade_of(pd_12m: float, *, in_default: bool = False) -> int:
    """The grade of one PD; 10 only when a default or insolvency is on record."""
    if in_default:
        return DEFAULT_GRADE
    if not 0.0 <= pd_12m <= 1.0:
        raise ValueError(f"a PD lies in [0, 1], got {pd_12m}")
    return int(np.searchsorted(_UPPERS, pd_12m, side="right")) + 1


def grades_of(pds: npt.ArrayLike) -> npt.NDArray[np.int8]:
    """Vectorised `grade_of` for many PDs (none in default)."""
    arr = np.clip(np.asarray(pds, dtype=np.float64), 0.0, 1.0)
    return (np.searchsorted(_UPPERS, arr, side="right") + 1).astype(np.int8)


def band_of(grade: int) -> Band:
    return BANDS[grade - 1]


