"""Models that one chapter builds and later chapters and benchmarks reuse.

Each is written out in the chapter that teaches it, and a test checks that the
chapter's code and this one build the same model (tests/test_models.py).
"""

# No `from __future__ import annotations`: TorchScript (chapter 08) must read the
# annotations of DigitMLP as objects, not strings.
import torch
from torch import nn

from ._validate import check_type

__all__ = ["AutoInvert", "DigitMLP", "make_digits_cnn"]


def make_digits_cnn() -> nn.Sequential:
    """The small CNN for the 8 x 8 digits of the chapter "Training and prediction" (``make_cnn`` there).

    Two 3 x 3 convolutions (32 and 64 channels, padding 1) with ReLU, a 2 x 2
    max-pooling and a linear layer: images of shape ``(N, 1, 8, 8)`` in,
    10 logits out. 29,066 parameters.
    """
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3, padding=1),  # (N, 1, 8, 8) -> (N, 32, 8, 8)
        nn.ReLU(),
        nn.Conv2d(32, 64, kernel_size=3, padding=1),  # -> (N, 64, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),  # -> (N, 64, 4, 4)
        nn.Flatten(),  # -> (N, 1024)
        nn.Linear(64 * 4 * 4, 10),  # -> (N, 10)
    )


class DigitMLP(nn.Module):
    """Raw 8 x 8 digit images (pixel values 0..16) in, 10 class scores out.

    The model of the chapters "TorchScript" and "Deploying models today"
    (trained by :func:`utils.train_digit_mlp`): the normalisation is part of
    the model (buffers ``mean`` and ``std``), then Linear 64 -> 128, ReLU,
    Linear 128 -> 10.

    Args:
        mean: Mean of the training pixels.
        std: Their standard deviation (positive).
    """

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, mean: float, std: float) -> None:
        check_type("DigitMLP", "mean", mean, (int, float), "a float")
        check_type("DigitMLP", "std", std, (int, float), "a float")
        if not std > 0:
            raise ValueError(f"DigitMLP(): argument 'std' must be positive, got {std}")
        super().__init__()
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))
        self.hidden = nn.Linear(64, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = (images - self.mean) / self.std  # the preprocessing travels with the model
        out: torch.Tensor = self.out(torch.relu(self.hidden(x.flatten(1))))
        return out


class AutoInvert(nn.Module):
    """Accept light ink on a dark background (as in the digits data) or dark ink on light.

    The module of the chapter "TorchScript" whose ``if`` on the data makes the
    tracing trap: images whose mean pixel is above 8 (of 0..16) are inverted.
    """

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.mean() > 8:  # mostly light: dark ink on light paper, so invert
            images = 16 - images
        return images
