"""One formatter from a pydantic ``ValidationError`` to rvsim's one-line message.

Each error of the exception becomes ``"<key path> <problem>. Received: <key path>=<value>"`` (the key path
dotted, ``radio.rx_array.num_cols``), from the error's ``loc``, ``type``/``msg`` and ``input``; errors that
validators raised with :func:`~rvsim.config.spec_model.spec_rule` carry their whole message. Several errors
are joined with ``"; "`` on the same line.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from rvsim.config.spec_model import FIELD_ERROR, RULE_ERROR

__all__ = ["format_validation_error", "describe_error"]

_PROBLEMS: dict[str, str] = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be finite",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
}

_BOUNDS: dict[str, tuple[str, str]] = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


def _plain(value: Any) -> Any:
    """Tuples shown as the lists they were written as, models as their data."""
    if isinstance(value, BaseModel):
        return _plain(value.model_dump())
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the keys at ``loc`` below ``root`` (through dicts of models), if any."""
    tp: Any = root
    for part in loc:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
            continue
        origin = typing.get_origin(tp)
        if origin is dict:
            tp = typing.get_args(tp)[1]
            continue
        return None
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _literal_choices(expected: str) -> str:
    """``"'a', 'b' or 'c'"`` (pydantic's) as ``"one of a, b, c"``, and two choices as ``"a or b"``."""
    parts = [p.strip().strip("'") for p in expected.replace(" or ", ", ").split(",")]
    return " or ".join(parts) if len(parts) == 2 else "one of " + ", ".join(parts)


def _path(loc: tuple[Any, ...]) -> str:
    """A dotted key path, list indices in brackets: ``street.lanes_x_m[1]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_error(error: dict[str, Any], root: type[BaseModel]) -> str:
    """One error of ``ValidationError.errors()`` as ``"<path> <problem>. Received: <path>=<value>"``.

    Args:
        error: An entry of ``ValidationError.errors()``.
        root: The model that was validated (to list the keys allowed where an unknown key was given).
    """
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == RULE_ERROR:
        return str(ctx["message"])
    loc = tuple(p for p in error["loc"])
    if kind == FIELD_ERROR and ctx.get("key"):
        loc = (*loc, ctx["key"])
    received = _plain(ctx["received"] if kind == FIELD_ERROR else error.get("input"))
    if loc and loc[-1] == "[key]":
        return f"keys of {_path(loc[:-2])} must be strings. Received: {loc[-2]!r}"
    if kind == "missing" and loc and isinstance(loc[-1], int):
        return f"{_path(loc[:-1])} has too few values. Received: {_path(loc[:-1])}={received!r}"
    path = _path(loc)
    if kind == "extra_forbidden":
        parent = _path(loc[:-1])
        model = _model_at(root, loc[:-1])
        allowed = f" (allowed: {', '.join(model.model_fields)})" if model is not None else ""
        return f"unknown key {parent + '.' if parent else ''}{str(loc[-1])!r}{allowed}. Received: {path}={received!r}"
    if kind == FIELD_ERROR:
        problem = str(ctx["problem"])
    elif kind in _PROBLEMS:
        problem = _PROBLEMS[kind]
    elif kind in _BOUNDS:
        key, sign = _BOUNDS[kind]
        problem = f"must be {sign} {ctx[key]:g}" if isinstance(ctx.get(key), (int, float)) else \
            f"must be {sign} {ctx.get(key)}"
    elif kind == "literal_error":
        problem = "must be " + _literal_choices(str(ctx.get("expected", "")))
    elif kind == "too_long":
        problem = f"must have at most {ctx.get('max_length')} values"
    elif kind == "too_short":
        problem = f"must have at least {ctx.get('min_length')} values"
    elif kind == "missing":
        problem = "is missing"
    else:
        problem = f"is invalid ({error.get('msg', kind)})"
    if not path:
        return f"the spec {problem}. Received: {received!r}"
    return f"{path} {problem}. Received: {path}={received!r}"


def format_validation_error(exc: ValidationError, root: type[BaseModel], source: str = "") -> str:
    """rvsim's one-line message for a pydantic ``ValidationError`` (every error, joined with ``"; "``).

    Args:
        exc: The error pydantic raised.
        root: The model that was validated.
        source: Where the data came from (``"built-in scene 'factory'"``); prefixed with ``": "`` when given.

    Returns:
        One line: ``"<source>: <path> <problem>. Received: <path>=<value>[; ...]"``.
    """
    parts = [describe_error(e, root) for e in exc.errors(include_url=False)]
    text = "; ".join(" ".join(p.split()) for p in parts)
    return f"{source}: {text}" if source else text
