"""Helpers shared by the chapters of the book.

Each helper is first written out in the chapter that teaches it; its
docstring names that chapter. Modules by concern:

- :mod:`utils.plotting`: the book's figure style and picture helpers;
- :mod:`utils.graph`: the autograd graph of a tensor (or of a from-scratch ``Value``), as data and as a picture;
- :mod:`utils.data`: the digits (no downloads), a file-backed dataset, transforms, collate and worker helpers;
- :mod:`utils.deploy`: deployment helpers (C++ builds, prediction text, warnings) and the routes figure;
- :mod:`utils.pipeline`: pictures of a DataLoader's stages and a grid of digits;
- :mod:`utils.models`: models that a chapter builds and later ones reuse;
- :mod:`utils.modules`: pictures of a module: its tree, a hook timeline, train vs eval;
- :mod:`utils.training`: the training loop, evaluation, prediction, loss curves;
- :mod:`utils.training_step`: one training step, watched call by call, and its picture;
- :mod:`utils.performance`: where a training step's time goes (from the profiler), and the activation memory it keeps;
- :mod:`utils.reproducibility`: seeds, devices, versions, the test environment;
- :mod:`utils.distributed`: distributed data parallel, drawn: gradients before and after the all-reduce;
- :mod:`utils.lightning`: the Lightning chapter's classes, hook recorder (``import utils.lightning``; needs Lightning);
- :mod:`utils.lightning_logs`: a Lightning run's TensorBoard scalars as a history, a confusion matrix picture.
- :mod:`utils.scripts`: run a Python script in a fresh process with the kernel's environment;
"""

from . import (
    data,
    deploy,
    distributed,
    graph,
    lightning_logs,
    models,
    modules,
    performance,
    pipeline,
    plotting,
    reproducibility,
    scripts,
    training,
    training_step,
)
from .data import *  # noqa: F403
from .deploy import *  # noqa: F403
from .distributed import *  # noqa: F403
from .graph import *  # noqa: F403
from .lightning_logs import *  # noqa: F403
from .models import *  # noqa: F403
from .modules import *  # noqa: F403
from .performance import *  # noqa: F403
from .pipeline import *  # noqa: F403
from .plotting import *  # noqa: F403
from .reproducibility import *  # noqa: F403
from .scripts import *  # noqa: F403
from .training import *  # noqa: F403
from .training_step import *  # noqa: F403

__all__ = [
    *data.__all__,
    *deploy.__all__,
    *distributed.__all__,
    *graph.__all__,
    *lightning_logs.__all__,
    *models.__all__,
    *modules.__all__,
    *performance.__all__,
    *pipeline.__all__,
    *plotting.__all__,
    *reproducibility.__all__,
    *scripts.__all__,
    *training.__all__,
    *training_step.__all__,
]
__version__ = "0.1.0"
