"""The base of every scene-spec model, the value types YAML is read into, and the errors validators raise.

Specs are pydantic v2 models: frozen, strict (no silent coercion), and refusing unknown keys. YAML gives a
list where a spec holds a tuple and an int where it holds a float, and PyYAML reads ``28e9`` (no dot, or an
exponent without a sign) as a string, so three value types convert those explicitly before the strict check:

* :data:`Number`: a finite float; accepts an int or a numeric string (``"28e9"``), refuses ``bool``.
* :data:`Pair` / :data:`Triple` / :data:`NumberList` / :data:`IntList`: tuples, given as YAML lists.

Validators report a problem with :func:`spec_rule` (a whole message, key path included) or
:func:`field_rule` (a problem of the field they validate; the key path is added from the error's location),
so that :func:`~rvsim.config.validation_message.format_validation_error` can write rvsim's one-line message.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

__all__ = [
    "SpecModel",
    "Number",
    "Pair",
    "Triple",
    "NumberList",
    "IntList",
    "IntPair",
    "spec_rule",
    "field_rule",
    "require",
    "RULE_ERROR",
    "FIELD_ERROR",
]

#: Error type of :func:`spec_rule`: the message is complete (key path, problem, received value).
RULE_ERROR = "rvsim_rule"

#: Error type of :func:`field_rule`: the message is the problem; the key path comes from the error's location.
FIELD_ERROR = "rvsim_field"


class SpecModel(BaseModel):
    """Base of the spec models: frozen, strict, unknown keys refused, numbers finite."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False,
                              validate_default=False)


def spec_rule(message: str) -> PydanticCustomError:
    """An error whose message is complete: it names the key path and ends with ``Received: ...``."""
    return PydanticCustomError(RULE_ERROR, "{message}", {"message": message})


def require(condition: bool, message: str) -> None:
    """Raise :func:`spec_rule` ``(message)`` unless ``condition`` holds (for cross-field rules)."""
    if not condition:
        raise spec_rule(message)


def field_rule(problem: str, received: Any, key: str = "") -> PydanticCustomError:
    """An error of the value being validated (or of its sub-key ``key``).

    Args:
        problem: What is wrong, as it follows the key path (``"must be [min, max] with min <= max"``).
        received: The value received.
        key: A sub-key of the validated model, for a model-level rule about one of its fields.
    """
    return PydanticCustomError(FIELD_ERROR, "{problem}", {"problem": problem, "received": received, "key": key})


def _to_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise field_rule("must be a number", value)
    if isinstance(value, int):
        return float(value)
    if isinstance(value, str):  # YAML 1.1 reads "28e9" as a string
        try:
            return float(value)
        except ValueError:
            raise field_rule("must be a number", value) from None
    return value


def _to_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


#: A finite float; ints and numeric strings are converted, booleans refused.
Number = Annotated[float, BeforeValidator(_to_number)]

#: ``[a, b]`` of numbers.
Pair = Annotated[tuple[Number, Number], BeforeValidator(_to_tuple)]

#: ``[a, b]`` of integers.
IntPair = Annotated[tuple[int, int], BeforeValidator(_to_tuple)]

#: ``[x, y, z]`` of numbers.
Triple = Annotated[tuple[Number, Number, Number], BeforeValidator(_to_tuple)]

#: A list of numbers of any length.
NumberList = Annotated[tuple[Number, ...], BeforeValidator(_to_tuple)]

#: A list of integers of any length.
IntList = Annotated[tuple[int, ...], BeforeValidator(_to_tuple)]
