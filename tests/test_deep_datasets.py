"""The deep-transfer scenarios, checked against sklearn's digits and the generative formula."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

from tlearn.datasets import (DeepTransferData, load_digits_inverted, load_digits_split,
                             make_shared_representation)


def _rows_in(A, B):
    """Every row of A occurs in B (exact match)."""
    Bset = {r.tobytes() for r in B}
    return all(r.tobytes() in Bset for r in A)


def test_shared_representation_shapes_seeds_and_shared_features():
    d = make_shared_representation(n_target=15, n_source=200, n_test=300, n_features=6, n_hidden=4,
                                   n_source_outputs=5, noise=0.0, seed=1)
    assert isinstance(d, DeepTransferData) and d.task == "regression"
    assert d.X_source.shape == (200, 6) and d.y_source.shape == (200, 5)
    assert d.X_target.shape == (15, 6) and d.y_target.shape == (15,) and d.X_test.shape == (300, 6)
    e = make_shared_representation(n_target=15, n_source=200, n_test=300, n_features=6, n_hidden=4,
                                   n_source_outputs=5, noise=0.0, seed=2)
    np.testing.assert_array_equal(d.X_source, e.X_source)  # source side fixed by source_seed
    np.testing.assert_array_equal(d.y_test, e.y_test)
    assert not np.array_equal(d.X_target, e.X_target)
    # noise-free source outputs are 5 readouts of 4 shared tanh features: rank 4, not 5
    assert np.linalg.matrix_rank(d.y_source, tol=1e-8) == 4
    noisy = make_shared_representation(n_source=200, n_features=6, n_hidden=4, n_source_outputs=5, noise=0.1)
    assert np.linalg.matrix_rank(noisy.y_source, tol=1e-8) == 5


def test_inverted_digits_against_sklearn():
    X, y = load_digits(return_X_y=True)
    d = load_digits_inverted(n_per_class=3, seed=0)
    assert d.task == "classification"
    assert d.X_source.shape[0] + d.X_target.shape[0] + d.X_test.shape[0] == X.shape[0]
    assert np.bincount(d.y_target).tolist() == [3] * 10
    assert _rows_in(d.X_source, X / 16.0) and _rows_in(1.0 - d.X_target, X / 16.0)
    assert _rows_in(1.0 - d.X_test, X / 16.0)
    e = load_digits_inverted(n_per_class=3, seed=1)
    np.testing.assert_array_equal(d.X_source, e.X_source)
    assert not np.array_equal(d.X_target, e.X_target)
    np.testing.assert_array_equal(d.X_target, load_digits_inverted(n_per_class=3, seed=0).X_target)


def test_digits_split_against_sklearn():
    X, y = load_digits(return_X_y=True)
    d = load_digits_split(n_per_class=5, seed=0)
    assert set(d.y_source) == {0, 1, 2, 3, 4} and set(d.y_target) == {0, 1, 2, 3, 4}
    assert d.X_source.shape[0] == np.sum(y < 5)
    assert d.X_target.shape[0] + d.X_test.shape[0] == np.sum(y >= 5)
    lookup = {r.tobytes(): lab for r, lab in zip(X / 16.0, y)}
    assert all(lookup[r.tobytes()] == lab + 5 for r, lab in zip(d.X_test, d.y_test))
    assert all(lookup[r.tobytes()] == lab + 5 for r, lab in zip(d.X_target, d.y_target))


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_per_class=500 but class"):
        load_digits_split(n_per_class=500)
    with pytest.raises(ValueError, match="n_per_class must be >= 1"):
        load_digits_inverted(n_per_class=0)
    with pytest.raises(TypeError, match="n_target must be an integer"):
        make_shared_representation(n_target=2.5)
    with pytest.raises(ValueError, match="noise must be"):
        make_shared_representation(noise=-1.0)
