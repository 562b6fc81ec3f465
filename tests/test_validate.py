"""utils._validate: the messages every helper's errors share."""

import pytest
import torch

from utils._validate import check_positive_int, check_tensor, check_type, describe


def test_describe_tensor_and_other():
    assert describe(torch.zeros(2, 3)) == "a tensor of shape (2, 3) and dtype torch.float32"
    assert describe([1]) == "list"


def test_check_type_names_function_argument_expected_and_got():
    with pytest.raises(TypeError, match=r"^f\(\): argument 'x' must be a str, got int$"):
        check_type("f", "x", 1, str, "a str")
    check_type("f", "x", "ok", str, "a str")


def test_check_positive_int():
    check_positive_int("f", "n", 3)
    with pytest.raises(ValueError, match=r"argument 'n' must be a positive int, got 0"):
        check_positive_int("f", "n", 0)
    with pytest.raises(TypeError, match=r"argument 'n' must be a positive int, got bool"):
        check_positive_int("f", "n", True)


def test_check_tensor_dimensions():
    check_tensor("f", "t", torch.zeros(2, 2), ndim=2)
    check_tensor("f", "t", torch.zeros(2), ndim=(1, 2))
    with pytest.raises(ValueError, match=r"argument 't' must have 2 dimension\(s\), got 3 \(shape \(1, 1, 1\)\)"):
        check_tensor("f", "t", torch.zeros(1, 1, 1), ndim=2)
    with pytest.raises(TypeError, match=r"argument 't' must be a torch.Tensor, got list"):
        check_tensor("f", "t", [1.0])
