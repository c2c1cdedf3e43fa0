"""Files of the risk capability: the shipped data and the trained artefacts (the only file I/O here).

Artefacts are plain text — LightGBM's model format and JSON — never pickles, so they load across
library versions and can be read and diffed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arguard.core.errors import NotFound
from arguard.risk.country import CountryTable, load_oecd_table

if TYPE_CHECKING:  # LightGBM loads with the models (load_models), not with this module
    from arguard.risk.estimators import CalibratedPD
    from arguard.risk.training import TrainedModels

PACKAGE_DIR = Path(__file__).parent
DATA_DIR = PACKAGE_DIR / "data"
ARTIFACTS_DIR = PACKAGE_DIR / "artifacts"
TRAINING_FILE = "polish_5year_train.arff"


@dataclass(frozen=True)
class ShippedModels:
    gbm: CalibratedPD
    scorecard: CalibratedPD
    metadata: dict[str, Any]

    def get(self, name: str) -> CalibratedPD:
        if name not in ("gbm", "scorecard"):
            raise NotFound(f"no PD model named {name!r} (gbm, scorecard)", code="unknown_model")
        return self.gbm if name == "gbm" else self.scorecard


def sample_rate(metadata: dict[str, Any]) -> float:
    """Failure rate of the training sample the PDs are calibrated to (for `combine.PriorShift`)."""
    data = metadata["data"]
    return float(data["failed"]) / float(data["rows"])


def read_training_data(path: Path | None = None) -> str:
    return (path or DATA_DIR / TRAINING_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def country_table() -> CountryTable:
    oecd = (DATA_DIR / "oecd_country_risk_2026-01-30.csv").read_text(encoding="utf-8")
    iso = (DATA_DIR / "iso3166.csv").read_text(encoding="utf-8-sig")
    return load_oecd_table(oecd, iso)


def save_models(trained: TrainedModels, directory: Path = ARTIFACTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    gbm = trained.gbm.to_dict()
    booster = gbm["scorer"].pop("booster")
    paths = {
        directory / "gbm.lgb": booster,
        directory / "gbm.json": _dump(gbm),
        directory / "scorecard.json": _dump(trained.scorecard.to_dict()),
        directory / "metadata.json": _dump(trained.metadata),
    }
    for path, text in paths.items():
        path.write_text(text, encoding="utf-8")
    load_models.cache_clear()
    return list(paths)


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


@lru_cache(maxsize=4)
def load_models(directory: Path = ARTIFACTS_DIR) -> ShippedModels:
    try:
        gbm = json.loads((directory / "gbm.json").read_text(encoding="utf-8"))
        gbm["scorer"]["booster"] = (directory / "gbm.lgb").read_text(encoding="utf-8")
        scorecard = json.loads((directory / "scorecard.json").read_text(encoding="utf-8"))
        metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NotFound(f"no trained risk model in {directory}: run `arguard risk train`",
                       code="model_missing") from exc
    from arguard.risk.estimators import CalibratedPD

    return ShippedModels(CalibratedPD.from_dict(gbm), CalibratedPD.from_dict(scorecard), metadata)
