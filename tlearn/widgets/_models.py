"""The explorers' models: the maths and the caches behind each figure, no drawing.

Each explorer is a model (this module: NumPy and tlearn only -- no matplotlib,
no ipywidgets) and a view (``ridge.py``, ``features.py``, ``backprop.py``: the
controls and the artists). The explorer exposes its model as
``explorer.model``, so a test or a reader can ask it for the numbers the
figure shows without a figure:

* :class:`RidgeExplorerModel` -- notebook 01: per (n_B, similarity) the exact
  risk curve of Eq. (1.12) and Monte-Carlo estimates of it with honest
  standard errors.
* :class:`FeatureCurves` -- notebook 02: learning curves of scratch ridge,
  parameter transfer and subspace features.
* :class:`BackpropExplorerModel` -- notebook 03: the tiny network trained for
  every λ on the slider, per (n, η).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from .._validation import check_int, check_real
from ..backprop import train_two_layer, two_layer_forward
from ..datasets import make_subspace_tasks, make_transfer_regression
from ..features import SubspaceExtractor
from ..ridge import RidgePath
from ..theory import transfer_risk
from ._batched import train_two_layer_grid

__all__ = ["LAM_GRID", "LAM_AXIS_ENDS", "RidgeExplorerModel", "RidgeSetting", "FeatureCurves",
           "BackpropExplorerModel", "snap_lam"]

#: λ values offered by the sliders: the limit 0, a log grid, the limit ∞.
LAM_GRID = np.concatenate([[0.0], np.logspace(-3, 3, 25), [np.inf]])

#: Where the limits λ = 0 and λ = ∞ are drawn on a log λ axis.
LAM_AXIS_ENDS = (1e-4, 1e4)

#: The loaded BLAS libraries, scanned once (a ``threadpool_limits`` per call would rescan them).
_THREADPOOLS = ThreadpoolController()


def snap_lam(lam, grid=LAM_GRID):
    """The grid value nearest to λ in log10 λ (0 and ∞ are grid points of their own)."""
    grid = [float(g) for g in grid]
    if lam in grid:
        return float(lam)
    finite = [g for g in grid if 0 < g < np.inf]
    return min(finite, key=lambda g: abs(np.log10(g) - np.log10(max(lam, 1e-300))))


@dataclass
class RidgeSetting:
    """Everything the ridge explorer shows for one (n_B, similarity).

    ``mc_mean[i] ± mc_se[i]``: the Monte-Carlo estimate of the expected test MSE
    σ² + E‖ŵ(λᵢ) − w_B‖² at ``LAM_GRID[i]`` over ``n_repeats`` independent noise
    draws on the fixed design, independent from one λ to the next (draw 0 is the
    data set on show). ``grid_risk``: the exact value, Eq. (1.12).
    """

    data: object
    path: RidgePath
    prior: np.ndarray
    mc_mean: np.ndarray
    mc_se: np.ndarray
    theory_lams: np.ndarray
    theory_risk: np.ndarray
    grid_risk: np.ndarray
    noise: float

    def risk(self, lam):
        """Exact expected test MSE at λ, Eq. (1.12) (slider values are precomputed)."""
        hit = np.flatnonzero(LAM_GRID == lam)
        if hit.size:
            return float(self.grid_risk[hit[0]])
        d = self.data
        return float(transfer_risk(d.X_target, d.coef_target, lam, prior=d.coef_source,
                                   noise_var=self.noise**2).risk[0])

    def coef(self, lam):
        """ŵ(λ) of Eq. (1.6) for the data set on show."""
        return self.path.coef(lam, prior=self.prior)

    @property
    def best_lam(self):
        """The slider λ with the lowest exact risk."""
        return float(LAM_GRID[int(np.argmin(self.grid_risk))])

    @property
    def fit_lim(self):
        """Half-width of the prediction panel, set by the truth (a wild fit shows as off scale)."""
        return 1.3 * max(np.abs(self.data.y_test).max(), 1e-3)

    @property
    def coef_top(self):
        return 1.5 * max(np.abs(self.data.coef_source).max(), np.abs(self.data.coef_target).max())


class RidgeExplorerModel:
    """Notebook 01's parameter transfer (Eqs. (1.4), (1.12)) for every (n_B, similarity), cached.

    The noise draws depend on n_B only (seeded by ``(seed, n_B)``), so moving the
    similarity reuses them (common random numbers across similarity); each
    setting is computed once, on first use.
    """

    def __init__(self, n_features=10, noise=1.0, n_repeats=400, seed=0, n_show=80):
        self.n_features = check_int(n_features, "n_features", 1)
        self.noise = check_real(noise, "noise", minimum=0, strict=(True, False))
        self.n_repeats = check_int(n_repeats, "n_repeats", 2)  # a standard error needs two draws
        self.seed, self.n_show = check_int(seed, "seed", 0), check_int(n_show, "n_show", 1)
        self.theory_lams = np.concatenate(
            [[0.0], np.logspace(np.log10(LAM_AXIS_ENDS[0]), np.log10(LAM_AXIS_ENDS[1]), 200)[1:-1], [np.inf]])
        self._settings, self._noise = {}, {}

    def draws(self, n):
        """Standard-normal noise (len(LAM_GRID), n, n_repeats − 1) for sample size n.

        Independent across λ (so the points scatter independently about the
        curve and each error bar is that point's own), common to every
        similarity (a similarity move redraws nothing).
        """
        if n not in self._noise:
            rng = np.random.default_rng([self.seed, n])
            self._noise[n] = rng.standard_normal((LAM_GRID.size, n, self.n_repeats - 1))
        return self._noise[n]

    def setting(self, n, similarity):
        """The :class:`RidgeSetting` of (n_B, similarity), computed on first use."""
        key = (int(n), round(float(similarity), 6))
        if key not in self._settings:
            self._settings[key] = self._compute(*key)
        return self._settings[key]

    def _compute(self, n, similarity):
        data = make_transfer_regression(n_source=0, n_target=n, n_test=self.n_show, n_features=self.n_features,
                                        similarity=similarity, noise=self.noise, seed=self.seed)
        X, w_A, w_B = data.X_target, data.coef_source, data.coef_target
        err = np.empty((LAM_GRID.size, self.n_repeats))
        for i, (lam, E) in enumerate(zip(LAM_GRID, self.draws(n))):
            # Monte Carlo on the fixed design: draw 0 is the data set on show, the others fresh noise.
            Y = np.column_stack([data.y_target, (X @ w_B)[:, None] + self.noise * E])
            W_hat = RidgePath(X, Y).coef(lam, prior=np.repeat(w_A[:, None], self.n_repeats, axis=1))  # Eq. (1.6)
            err[i] = self.noise**2 + np.sum((W_hat - w_B[:, None]) ** 2, axis=0)  # each draw's test MSE
        exact = transfer_risk(X, w_B, np.concatenate([self.theory_lams, LAM_GRID]), prior=w_A,
                              noise_var=self.noise**2).risk  # Eq. (1.12)
        m = self.theory_lams.size
        return RidgeSetting(data=data, path=RidgePath(X, data.y_target), prior=w_A, mc_mean=err.mean(axis=1),
                            mc_se=err.std(axis=1, ddof=1) / np.sqrt(self.n_repeats),
                            theory_lams=self.theory_lams, theory_risk=exact[:m], grid_risk=exact[m:],
                            noise=self.noise)


class FeatureCurves:
    """Learning curves of the three methods for one synthetic setting, with caches.

    ``errors(n, lam, k, distance)`` returns the mean test MSE of scratch ridge on
    the ``d`` raw features, ridge toward the mean source weight (parameter
    transfer, Eq. (1.4) of notebook 01) and the ridge head on the top-``k``
    source subspace (Eqs. (2.2), (2.4) of notebook 02), for a target of ``n``
    samples. Sample ``r`` of size ``n`` is rows ``r·n_max … r·n_max + n − 1`` of
    the target pool, so the curves are nested in ``n``. ``setting(n, k,
    distance)`` gives the curves at every slider λ at once (cached).
    """

    METHODS = ("scratch ridge", "parameter transfer", "subspace features")

    def __init__(self, n_tasks=30, n_features=50, n_components=3, n_per_task=100, noise=0.5, seed=0,
                 n_max=100, n_repeats=8, k_max=10, source_lam=1.0):
        self.opts = dict(n_tasks=n_tasks, n_features=n_features, n_components=n_components,
                         n_per_task=n_per_task, noise=noise, seed=seed,
                         n_target=n_max * n_repeats, n_test=1)
        self.n_max, self.n_repeats, self.noise = int(n_max), int(n_repeats), float(noise)
        self._tasks, self._paths, self._settings = {}, {}, {}
        tasks = self.tasks(0.0)
        # The sources do not depend on the target's distance: fit them once.
        self.k_max = int(min(k_max, n_features, n_tasks))
        self.extractor = SubspaceExtractor(self.k_max, lam=source_lam).fit(tasks.sources)
        self.prior = self.extractor.task_coefs_.mean(axis=0)  # parameter transfer: the mean source weight
        self.sizes = np.unique(np.round(np.geomspace(2, self.n_max, 14)).astype(int))

    def tasks(self, distance):
        """The synthetic setting (cached per distance; sources and inputs never change)."""
        key = round(float(distance), 6)
        if key not in self._tasks:
            self._tasks[key] = make_subspace_tasks(target_distance=key, **self.opts)
        return self._tasks[key]

    def sample(self, n, r, distance):
        """Target sample ``r`` of size ``n``."""
        t = self.tasks(distance)
        rows = slice(r * self.n_max, r * self.n_max + int(n))
        return t.X[rows], t.y[rows]

    def _path_list(self, n, k, distance):
        key = (int(n), k, round(float(distance), 6))
        if key not in self._paths:
            U = None if k is None else self.extractor.components_[:, :k]
            self._paths[key] = [RidgePath(X if U is None else X @ U, y)
                                for X, y in (self.sample(n, r, distance) for r in range(self.n_repeats))]
        return self._paths[key]

    def errors(self, n, lam, k, distance):
        """Mean test MSE ``σ² + ‖ŵ − w_B‖²`` of the three methods.

        Shape (3,) for a scalar ``lam``, (m, 3) for an array of m values.
        """
        w_B = self.tasks(distance).coef
        U = self.extractor.components_[:, :k]
        out = np.zeros(np.shape(lam) + (3,))
        for raw, sub in zip(self._path_list(n, None, distance), self._path_list(n, k, distance)):
            fits = (raw.coef(lam), raw.coef(lam, prior=self.prior), sub.coef(lam) @ U.T)
            out += np.stack([np.sum((w - w_B) ** 2, axis=-1) for w in fits], axis=-1)
        return self.noise**2 + out / self.n_repeats

    def curves(self, sizes, lam, k, distance):
        """``errors`` for every size: shape (len(sizes), 3), or (len(sizes), m, 3) for m values of λ."""
        # Hundreds of tiny SVDs: BLAS threads only add overhead (and contend on a busy machine).
        with _THREADPOOLS.limit(limits=1, user_api="blas"):
            return np.array([self.errors(n, lam, k, distance) for n in sizes])

    def setting(self, n, k, distance):
        """``(every, top)``: errors (len(sizes) + 1, len(LAM_GRID), 3) -- the sizes, then n -- and a y-range top.

        The top fits the curves at every slider λ (so a λ move changes no axis
        limit) but ignores the wild least-squares errors near n_B ≈ d.
        """
        key = (int(n), int(k), round(float(distance), 6))
        if key not in self._settings:
            every = self.curves(np.append(self.sizes, key[0]), LAM_GRID, key[1], key[2])
            w2 = float(np.sum(self.tasks(key[2]).coef ** 2))
            self._settings[key] = every, 1.08 * min(every.max(), 3.0 * (self.noise**2 + w2))
        return self._settings[key]

    def at(self, n, lam, k, distance):
        """The three test MSEs at (n, λ, k, distance) for a slider λ, from the cache."""
        every, _ = self.setting(n, k, distance)
        return every[-1, int(np.flatnonzero(LAM_GRID == lam)[0])]


class BackpropExplorerModel:
    """Notebook 03's 1-h-1 tanh network on y = sin 3x + noise, trained per (λ, n, η), cached.

    The first visit of an (n, η) trains the network for every λ on the slider
    at once (:func:`train_two_layer_grid`, a stacked fast path that agrees
    with the plain trainer); other λ use :func:`tlearn.backprop.train_two_layer`.
    """

    def __init__(self, n_hidden=16, steps=2000, noise=0.3, seed=0, n_max=60, n_test=200):
        self.n_hidden, self.steps, self.noise = n_hidden, steps, noise
        rng = np.random.default_rng(seed)
        self.x = rng.uniform(-1.0, 1.0, n_max)  # a pool: the first n points are used
        self.y = self.target(self.x) + noise * rng.standard_normal(n_max)
        self.x_test = rng.uniform(-1.0, 1.0, n_test)
        self.y_test = self.target(self.x_test) + noise * rng.standard_normal(n_test)
        self.grid = np.linspace(-1.0, 1.0, 200)
        self.fit_kw = dict(n_hidden=n_hidden, steps=steps, seed=seed, X_val=self.x_test[:, None],
                           y_val=self.y_test, log_every=max(steps // 100, 1))
        self._runs, self._curves, self._scale = {}, {}, {}

    @staticmethod
    def target(x):
        return np.sin(3.0 * x)

    def train(self, lam, n, lr):
        """``(params, history)`` of :func:`tlearn.backprop.train_two_layer` at (λ, n, η)."""
        key = (float(lam), int(n), float(lr))
        if key not in self._runs:
            kw = dict(self.fit_kw, lr=key[2])
            X, y = self.x[:key[1], None], self.y[:key[1]]
            with _THREADPOOLS.limit(limits=1, user_api="blas"):  # tiny products: threads only add overhead
                if np.any(LAM_GRID == key[0]):  # a new (n, η): every λ on the slider in one loop
                    for g, run in zip(LAM_GRID, train_two_layer_grid(X, y, LAM_GRID, key[2], **self.fit_kw)):
                        self._runs.setdefault((float(g), key[1], key[2]), run)
                else:
                    self._runs[key] = train_two_layer(X, y, lam=key[0], **kw)
        return self._runs[key]

    def trained(self, lam, n, lr):
        """Whether (λ, n, η) is cached (else :meth:`train` trains, every slider λ at once for a slider λ)."""
        return (float(lam), int(n), float(lr)) in self._runs

    def curve(self, lam, n, lr):
        """The fit on :attr:`grid` and each hidden unit's share of it (NaN when training diverged)."""
        key = (float(lam), int(n), float(lr))
        if key not in self._curves:
            params, hist = self.train(*key)
            if hist["diverged"]:
                self._curves[key] = np.full(self.grid.size, np.nan), np.full((self.grid.size, self.n_hidden), np.nan)
            else:
                out, c = two_layer_forward(self.grid[:, None], *params)
                self._curves[key] = out[:, 0], c["H"] * params[2][:, 0]  # unit j's share of the output
        return self._curves[key]

    def hidden_scale(self, n, lr):
        """One scale for the hidden-unit panel over every slider λ of an (n, η) that trains sensibly."""
        key = (int(n), float(lr))
        if key not in self._scale:  # runs on their way to diverging (objective > 10) would squash the others
            tops = [np.nanmax(np.abs(self.curve(g, *key)[1])) for g in LAM_GRID
                    if not self.train(g, *key)[1]["diverged"] and self.train(g, *key)[1]["loss"][-1] <= 10.0]
            self._scale[key] = 1.1 * max(max(tops, default=1.0), 0.1)
        return self._scale[key]

    def best_lam(self, n, lr):
        """``(λ, test loss)``: the slider λ with the lowest final test loss at (n, η), or None if all diverged."""
        finals = [(self.train(g, n, lr)[1], float(g)) for g in LAM_GRID]
        ok = [(h["val_loss"][-1], g) for h, g in finals if not h["diverged"]]
        return None if not ok else min(ok, key=lambda t: t[0])[::-1]
