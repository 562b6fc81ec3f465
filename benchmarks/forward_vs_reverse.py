"""When does forward-mode automatic differentiation beat reverse mode?

    .venv/bin/python benchmarks/forward_vs_reverse.py [--rounds 7] [--size 2000]

The chapter "Autograd" counts passes: a full Jacobian of a function with n
inputs and m outputs costs n forward-mode passes (JVPs) or m reverse-mode
passes (VJPs). This script measures the time of the two library routes,
`torch.func.jacfwd` and `torch.func.jacrev`, on a "wide" function (2 inputs,
`size` outputs) and a "tall" one (`size` inputs, 2 outputs), with `vmap`
batching the passes as the library does. It prints the median time of each
and the ratio jacfwd / jacrev. Expected: jacfwd is faster on the wide
function, jacrev on the tall one. One thread, as in the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch


def functions(size: int):
    ks = torch.linspace(0.0, 1.0, size)
    weights = torch.randn(2, size, generator=torch.Generator().manual_seed(0))

    def wide(t: torch.Tensor) -> torch.Tensor:  # 2 inputs, `size` outputs
        return torch.tanh(torch.sin(t[0] * ks) + t[1] * ks)

    def tall(t: torch.Tensor) -> torch.Tensor:  # `size` inputs, 2 outputs
        return weights @ torch.tanh(t.sin() * t)

    return {"wide (2 -> n)": (wide, torch.tensor([0.5, -1.0])), "tall (n -> 2)": (tall, ks.clone())}


def timed(fn, x: torch.Tensor, repeat: int = 20) -> float:
    fn(x)  # warm-up (forward mode loads its decompositions on first use)
    started = time.perf_counter()
    for _ in range(repeat):
        fn(x)
    return (time.perf_counter() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--size", type=int, default=2000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name, (f, x) in functions(args.size).items():
        forward, reverse = torch.func.jacfwd(f), torch.func.jacrev(f)
        assert torch.allclose(forward(x), reverse(x), atol=1e-5), name
        fwd_times, rev_times = [], []
        for round_ in range(args.rounds):  # alternate, swapping the order, so that noise hits both
            pair = [(forward, fwd_times), (reverse, rev_times)]
            for fn, times in pair if round_ % 2 == 0 else reversed(pair):
                times.append(timed(fn, x))
        fwd, rev = statistics.median(fwd_times), statistics.median(rev_times)
        print(f"{name} (n = {args.size}): jacfwd {fwd * 1e3:.3f} ms, jacrev {rev * 1e3:.3f} ms, ratio {fwd / rev:.2f}")


if __name__ == "__main__":
    main()
