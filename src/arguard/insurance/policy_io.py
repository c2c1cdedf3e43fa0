"""Policy file text (YAML or JSON) → mapping → `Policy`. Numbers written with a decimal point are read as
their written text (a Decimal), never through float."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from arguard.core.errors import Issue
from arguard.insurance.model import Policy
from arguard.insurance.policy import parse_policy

MAX_POLICY_BYTES = 256 * 1024


def _yaml_loader() -> Any:
    import yaml

    class DecimalLoader(yaml.SafeLoader):
        """SafeLoader that reads floats as Decimal from their written text."""

    def decimal(loader: Any, node: Any) -> Decimal:
        return Decimal(loader.construct_scalar(node).replace("_", ""))

    DecimalLoader.add_constructor("tag:yaml.org,2002:float", decimal)
    return DecimalLoader


def read_mapping(text: str, source: str) -> tuple[Any, list[Issue]]:
    """The mapping a policy file holds (JSON when it starts with '{', else YAML)."""
    if len(text.encode("utf-8", "replace")) > MAX_POLICY_BYTES:
        return None, [Issue(source, None, None, f"a policy file is at most {MAX_POLICY_BYTES} bytes")]
    import yaml

    try:
        if text.lstrip().startswith("{"):
            return json.loads(text, parse_float=Decimal), []
        return yaml.load(text, Loader=_yaml_loader()), []
    except (ValueError, yaml.YAMLError) as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        return None, [Issue(source, None if line is None else line + 1, None, f"not valid YAML/JSON: {e}")]


def load_policy_text(text: str, source: str = "policy") -> tuple[Policy | None, list[Issue]]:
    data, issues = read_mapping(text, source)
    if issues:
        return None, issues
    return parse_policy(data, source)
