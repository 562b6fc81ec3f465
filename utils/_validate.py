"""Argument checks shared by the helpers.

Every check raises before any work starts, with a message that names the
argument, what was expected and what was given, e.g.::

    TypeError: plot_strides(): argument 'tensor' must be a torch.Tensor, got list
"""

from __future__ import annotations

from typing import Any

import torch


def describe(value: Any) -> str:
    """Return a short description of ``value`` for an error message."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    return type(value).__name__


def check_type(func: str, name: str, value: Any, expected: type | tuple[type, ...], what: str) -> None:
    """Raise ``TypeError`` unless ``value`` is an instance of ``expected``.

    Args:
        func: Name of the public function doing the check, for the message.
        name: Name of the argument.
        value: The value that was passed.
        expected: Accepted type or types.
        what: How the expected type reads in the message, e.g. ``"a torch.Tensor"``.
    """
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in _as_tuple(expected)):
        raise TypeError(f"{func}(): argument '{name}' must be {what}, got {describe(value)}")


def check_positive_int(func: str, name: str, value: Any) -> None:
    """Raise unless ``value`` is an ``int`` greater than zero (``bool`` is refused)."""
    check_type(func, name, value, int, "a positive int")
    if value <= 0:
        raise ValueError(f"{func}(): argument '{name}' must be a positive int, got {value}")


def check_tensor(func: str, name: str, value: Any, ndim: int | tuple[int, ...] | None = None) -> None:
    """Raise unless ``value`` is a tensor, optionally with one of the given numbers of dimensions."""
    check_type(func, name, value, torch.Tensor, "a torch.Tensor")
    if ndim is not None:
        allowed = _as_tuple(ndim)
        if value.dim() not in allowed:
            dims = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{func}(): argument '{name}' must have {dims} dimension(s), "
                f"got {value.dim()} (shape {tuple(value.shape)})"
            )


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return x if isinstance(x, tuple) else (x,)
