"""Eager, TorchScript, torch.compile, AOTInductor and ONNX Runtime on the digit MLP, timed with more repetitions.

    .venv/bin/python benchmarks/deploy_speed.py [--batches 1 64 4096] [--rounds 5] [--min-run-time 1.0]

Repeats the speed comparison of the chapter "Deploying models today"
(chapters/09_deployment.ipynb) on the same model, the
chapter's DigitMLP as utils.DigitMLP (normalisation, Linear 64 -> 128, ReLU,
Linear 128 -> 10). The weights are random: they do not change the time. For every batch size and
variant it takes ``--rounds`` medians of ``torch.utils.benchmark.Timer``
(each over at least ``--min-run-time`` seconds), alternating the variants so
that machine noise hits all alike, and prints the median of those medians,
the spread (min..max) and the ratio to eager. It also checks that every
variant gives the eager outputs (allclose, atol 1e-5). One thread by default,
as in the test suite; compiled code goes to a temporary folder, deleted at
the end. Takes one to two minutes (the AOTInductor compile is about 20 s).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import warnings
from collections.abc import Callable

import torch
from torch import nn
from torch.export import Dim, export
from torch.utils.benchmark import Timer

import utils


def onnx_runtime(model: nn.Module, example: torch.Tensor, folder: str, threads: int) -> Callable:
    """`model` exported to ONNX (dynamic batch), run in ONNX Runtime with `threads` threads: tensor in, tensor out."""
    import onnxruntime

    logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)  # no torchvision
    path = os.path.join(folder, "mlp.onnx")
    dynamic = {"images": {0: Dim("batch")}}
    torch.onnx.export(model, (example,), dynamo=True, verbose=False, dynamic_shapes=dynamic).save(path)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads  # as torch gets: a fair comparison
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: torch.from_numpy(session.run(None, {name: x.numpy()})[0])


def build_variants(model: nn.Module, folder: str, threads: int) -> dict:
    """The five ways of running `model`: eager, TorchScript, torch.compile, AOTInductor, ONNX Runtime."""
    with warnings.catch_warnings():
        # TorchScript's DeprecationWarning and a FutureWarning that torch 2.13
        # raises inside its own AOTInductor code: both known, neither about this script.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        scripted = torch.jit.script(model)
        example = torch.zeros(4, 8, 8)
        exported = export(model, (example,), dynamic_shapes={"images": {0: Dim("batch")}})
        package = torch._inductor.aoti_compile_and_package(exported, package_path=os.path.join(folder, "mlp.pt2"))
        onnx_runtime_fn = onnx_runtime(model, example, folder, threads)
    return {
        "eager": model,
        "TorchScript": scripted,
        "torch.compile": torch.compile(model),
        "AOTInductor": torch._inductor.aoti_load_package(package),
        "ONNX Runtime": onnx_runtime_fn,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 64, 4096])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-run-time", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = utils.DigitMLP(4.88, 6.02).eval()

    with tempfile.TemporaryDirectory() as folder, torch.no_grad():
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(folder, "inductor_cache")
        variants = build_variants(model, folder, args.threads)
        inputs = {
            n: torch.randint(0, 17, (n, 8, 8), generator=torch.Generator().manual_seed(n)).float() for n in args.batches
        }
        for name, fn in variants.items():  # warm up (and compile) every variant at every size; check outputs
            for n, x in inputs.items():
                same = torch.allclose(fn(x), model(x), atol=1e-5)
                if not same:
                    raise SystemExit(f"{name} differs from eager at batch {n}")
        medians: dict[tuple[str, int], list[float]] = {(name, n): [] for name in variants for n in args.batches}
        for round_ in range(args.rounds):
            order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
            for n, x in inputs.items():
                for name in order:
                    timer = Timer("fn(x)", globals={"fn": variants[name], "x": x}, num_threads=args.threads)
                    medians[name, n].append(timer.blocked_autorange(min_run_time=args.min_run_time).median * 1e6)
        del os.environ["TORCHINDUCTOR_CACHE_DIR"]

    print(f"torch {torch.__version__}, threads: {torch.get_num_threads()}, rounds: {args.rounds}")
    print("all variants give the eager outputs (allclose, atol 1e-5) at every batch size")
    for n in args.batches:
        eager = statistics.median(medians["eager", n])
        print(f"\nbatch {n}: median over rounds of the per-round median time per call")
        for name in variants:
            times = medians[name, n]
            mid = statistics.median(times)
            print(
                f"  {name:>13}: {mid:10.1f} µs   (rounds {min(times):.1f} .. {max(times):.1f})"
                f"   x{mid / eager:.2f} of eager"
            )


if __name__ == "__main__":
    main()
