"""Measuring a training step: where its time goes, and what autograd keeps for the backward pass.

The chapter "Performance and debugging" teaches these helpers.
:func:`phase_times` reads the phases of a training step (``data``,
``forward``, ``backward``, ``optimizer``, labelled with
``torch.profiler.record_function``) out of a profile, :func:`phase_shares`
turns times into fractions and :func:`plot_phase_times` draws them as one
bar. :func:`saved_tensors` measures the activation memory of a forward pass:
the bytes of the tensors that autograd saves for ``backward``, seen through
``torch.autograd.graph.saved_tensors_hooks``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

from . import _palette
from ._validate import check_type, describe

__all__ = ["STEP_PHASES", "SavedTensorLog", "phase_shares", "phase_times", "plot_phase_times", "saved_tensors"]

STEP_PHASES: tuple[str, ...] = ("data", "forward", "backward", "optimizer")
"""The phases of one training step, in the order a step runs them (the labels the chapter profiles)."""

_FILLS = (_palette.BLUE, _palette.ORANGE, _palette.GREEN, "#c9b3e0", "#d9d9d9")


class _ProfiledEvent(Protocol):
    """What :func:`phase_times` reads of a profiler event: its name and its CPU time with children (µs)."""

    @property
    def key(self) -> str: ...  # pragma: no cover

    @property
    def cpu_time_total(self) -> float: ...  # pragma: no cover


def phase_times(events: Iterable[_ProfiledEvent], phases: Iterable[str] = STEP_PHASES) -> dict[str, float]:
    """The CPU time in milliseconds of each labelled phase in a profile, summed over its occurrences.

    Args:
        events: ``prof.key_averages()`` of a ``torch.profiler.profile`` in
            which each phase ran inside ``record_function(name)``; any
            iterable of objects with ``key`` and ``cpu_time_total`` (µs) does.
        phases: The labels to read, in the order wanted.

    Returns:
        ``{phase: milliseconds}`` in the order of ``phases``.

    Raises:
        ValueError: A phase is not in the profile (the message lists what is).
    """
    wanted = [phases] if isinstance(phases, str) else list(phases)
    if not wanted or isinstance(phases, str) or not all(isinstance(name, str) for name in wanted):
        raise TypeError(f"phase_times(): argument 'phases' must be a non-empty iterable of str, got {wanted!r}")
    found: dict[str, float] = {}
    for event in events:
        key = getattr(event, "key", None)
        if key in wanted:
            found[key] = found.get(key, 0.0) + float(event.cpu_time_total) / 1000
    missing = [name for name in wanted if name not in found]
    if missing:
        raise ValueError(
            f"phase_times(): phases {missing} are not in the profile; label them with "
            f"torch.profiler.record_function (found {len(found)} of {len(wanted)})"
        )
    return {name: found[name] for name in wanted}


def _check_times(func: str, times: object) -> dict[str, float]:
    check_type(func, "times", times, Mapping, "a mapping of phase name to time")
    assert isinstance(times, Mapping)
    if not times:
        raise ValueError(f"{func}(): argument 'times' must not be empty")
    checked: dict[str, float] = {}
    for name, value in times.items():
        if not isinstance(name, str) or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{func}(): argument 'times' must map str to a number, got {name!r}: {describe(value)}")
        if not value >= 0 or value == float("inf"):
            raise ValueError(f"{func}(): argument 'times' must hold finite, non-negative times, got {name!r}: {value}")
        checked[name] = float(value)
    if sum(checked.values()) <= 0:
        raise ValueError(f"{func}(): argument 'times' must not be all zero")
    return checked


def phase_shares(times: Mapping[str, float]) -> dict[str, float]:
    """Each phase's fraction of the total time, in the order given (the fractions add up to 1).

    Args:
        times: ``{phase: time}``, e.g. what :func:`phase_times` returned.
    """
    checked = _check_times("phase_shares", times)
    total = sum(checked.values())
    return {name: value / total for name, value in checked.items()}


@dataclass(frozen=True)
class _Segment:
    name: str
    start: float
    width: float
    share: float


def _segments(times: Mapping[str, float]) -> list[_Segment]:
    """The stacked bar's segments, left to right: where each phase starts and how wide it is."""
    shares = phase_shares(times)
    segments, start = [], 0.0
    for name, value in times.items():
        segments.append(_Segment(name, start, float(value), shares[name]))
        start += float(value)
    return segments


def plot_phase_times(
    times: Mapping[str, float], ax: Axes | None = None, *, unit: str = "ms", title: str | None = None
) -> Axes:
    """Draw where the time of a step goes: one bar, a segment per phase, labelled with its share.

    The chapter "Performance and debugging" draws a profiled training step
    of the digits CNN with it.

    Args:
        times: ``{phase: time}`` in the order the phases run, e.g. from :func:`phase_times`.
        ax: Axes to draw into; a new figure is made when ``None``.
        unit: The unit of the times, for the axis label.
        title: The figure's title.

    Returns:
        The Axes drawn into, one bar patch and one text per phase.
    """
    segments = _segments(_check_times("plot_phase_times", times))
    check_type("plot_phase_times", "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type("plot_phase_times", "unit", unit, str, "a str")
    check_type("plot_phase_times", "title", title, (str, type(None)), "a str or None")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1.9), layout="constrained")
    for i, seg in enumerate(segments):
        ax.barh(0, seg.width, left=seg.start, height=0.6, color=_FILLS[i % len(_FILLS)], edgecolor="white")
        label = f"{seg.name}\n{seg.share:.0%}"
        ax.text(seg.start + seg.width / 2, 0, label, ha="center", va="center", fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.6, 0.6)
    ax.set_xlim(0, segments[-1].start + segments[-1].width)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"time per step ({unit})")
    ax.set_ylabel("one step")
    ax.set_title(title or "Where the time of one training step goes")
    return ax


@dataclass
class SavedTensorLog:
    """What :func:`saved_tensors` saw: the tensors autograd saved for ``backward``.

    Attributes:
        count: How many times a tensor was saved (a tensor saved twice counts twice).
        nbytes: Bytes of the distinct storages saved, each counted once, parameters left out.
    """

    count: int = 0
    nbytes: int = 0
    _seen: set[int] = field(default_factory=set, repr=False)


@contextmanager
def saved_tensors(exclude: Iterable[torch.Tensor] = ()) -> Iterator[SavedTensorLog]:
    """Measure the tensors autograd saves for ``backward`` while the block runs.

    Every tensor that an operation saves (its input, its output, a mask)
    passes through the pack hook of ``torch.autograd.graph.saved_tensors_hooks``;
    the log counts them and adds up the bytes of their storages, each storage
    once. Tensors sharing storage with ``exclude`` (pass ``model.parameters()``)
    are not counted: they exist anyway. A hook pushed inside the block (as
    ``torch.utils.checkpoint`` does) takes over from this one while it is active.
    The chapter "Performance and debugging" measures activation memory with it.

    Args:
        exclude: Tensors whose storages are not counted, e.g. the parameters.

    Yields:
        A :class:`SavedTensorLog`, filled in as the block runs.
    """
    excluded = set()
    for tensor in exclude:
        check_type("saved_tensors", "exclude", tensor, torch.Tensor, "an iterable of tensors")
        excluded.add(tensor.untyped_storage().data_ptr())
    log = SavedTensorLog()

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        log.count += 1
        storage = tensor.untyped_storage()
        pointer = storage.data_ptr()
        if pointer not in excluded and pointer not in log._seen:
            log._seen.add(pointer)
            log.nbytes += storage.nbytes()
        return tensor

    def unpack(tensor: torch.Tensor) -> torch.Tensor:
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        yield log
