"""Training steps of the digits CNN: eager against torch.compile, float32 against bfloat16 autocast.

    .venv/bin/python benchmarks/train_speed.py [--rounds 5] [--steps 20] [--batch-size 64] [--threads 1]

Repeats two measurements of the chapter "Performance and debugging"
(chapters/07_performance.ipynb) on the chapter's model, ``utils.make_digits_cnn()``,
with SGD (momentum 0.9) and batches of the digits training set. Three variants
of the same training step (zero_grad, forward, loss, backward, step), each
with its own copy of the model from the same seed:

- ``eager float32``: the step as written;
- ``compiled float32``: ``torch.compile`` of the whole step function;
- ``eager bfloat16``: the step with the forward pass under
  ``torch.autocast(device_type, dtype=torch.bfloat16)``.

It first compiles (and reports how long the first compiled calls took), and
checks that the compiled step gives the eager losses (allclose, atol 1e-5) and
that bfloat16's are finite. Then, for ``--rounds`` rounds, it runs ``--steps``
steps of every variant, alternating the order of the variants from round to
round so that machine noise hits all alike, and takes each round's median
time per step. It prints the median over rounds, the spread (min..max) and the
ratio to eager float32. One thread by default, as in the test suite; compiled
code goes to a temporary folder, deleted at the end. bfloat16 is fast only on
CPUs with AVX512-BF16 or AMX, and slower than float32 elsewhere.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader

import utils

Step = Callable[[], torch.Tensor]


def make_step(batches: list[tuple[torch.Tensor, torch.Tensor]], amp: bool, compiled: bool) -> Step:
    """A function that runs one training step of a fresh CNN on the next batch (cycling) and returns the loss."""
    torch.manual_seed(0)
    model = utils.make_digits_cnn()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def train_step(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
            loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        return loss.detach()

    step_fn = torch.compile(train_step) if compiled else train_step
    position = 0

    def step() -> torch.Tensor:
        nonlocal position
        X, y = batches[position % len(batches)]
        position += 1
        return step_fn(X, y)

    return step


def seconds_per_step(step: Step, steps: int) -> float:
    """The median time of `steps` steps."""
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.rounds < 1 or args.steps < 1:
        raise SystemExit("--rounds and --steps must be positive")
    torch.set_num_threads(args.threads)
    torch._logging.set_logs(dynamo=logging.ERROR)  # Dynamo warns once that it ignores the optimizer's profiler label
    loader = DataLoader(
        utils.digits_datasets().train,
        batch_size=args.batch_size,
        shuffle=True,
        drop_last=True,  # one batch size: no recompilation for a smaller last batch
        generator=torch.Generator().manual_seed(0),
    )
    batches = list(loader)

    with tempfile.TemporaryDirectory() as folder:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(folder, "inductor_cache")
        variants = {
            "eager float32": make_step(batches, amp=False, compiled=False),
            "compiled float32": make_step(batches, amp=False, compiled=True),
            "eager bfloat16": make_step(batches, amp=True, compiled=False),
        }
        start = time.perf_counter()
        compiled_losses = [variants["compiled float32"]() for _ in range(3)]  # the second step recompiles (momentum)
        compile_seconds = time.perf_counter() - start
        eager_losses = [variants["eager float32"]() for _ in range(3)]
        bf16_losses = [variants["eager bfloat16"]() for _ in range(3)]
        if not torch.allclose(torch.stack(compiled_losses), torch.stack(eager_losses), atol=1e-5):
            raise SystemExit(f"compiled losses {compiled_losses} differ from eager {eager_losses}")
        if not all(torch.isfinite(loss) for loss in bf16_losses):
            raise SystemExit(f"bfloat16 losses are not finite: {bf16_losses}")

        medians: dict[str, list[float]] = {name: [] for name in variants}
        for round_ in range(args.rounds):
            order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
            for name in order:
                medians[name].append(seconds_per_step(variants[name], args.steps))
        del os.environ["TORCHINDUCTOR_CACHE_DIR"]

    print(
        f"torch {torch.__version__}, threads: {torch.get_num_threads()}, batch: {args.batch_size}, "
        f"rounds: {args.rounds}, steps per round: {args.steps}"
    )
    print(f"first three compiled steps (compilation included): {compile_seconds:.1f} s")
    print("compiled losses = eager losses (allclose, atol 1e-5); bfloat16 losses finite")
    base = statistics.median(medians["eager float32"])
    for name, times in medians.items():
        mid = statistics.median(times)
        print(
            f"  {name:>16}: {mid * 1e3:8.2f} ms per step   (rounds {min(times) * 1e3:.2f} .. {max(times) * 1e3:.2f})"
            f"   x{mid / base:.2f} of eager float32"
        )


if __name__ == "__main__":
    main()
