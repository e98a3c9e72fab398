"""How the cost of ridge grows with the data: tlearn vs scikit-learn, and vs the old solver (issue 12).

For n from 1e2 to 1e6 at d ∈ {10, 100, 1000} and for d ≫ n, times and peak memory of
(skipped: combinations whose X and work space would exceed ~4 GB, and n·d² > 1e10,
i.e. n = 1e5 at d = 1000, which takes many minutes per call on the shared 2 cores)

* ``fit``  -- TransferRidge(lam=1).fit  vs  sklearn Ridge(alpha=1).fit;
* ``path`` -- RidgePath(X, y).coef(100 λ)  vs  Ridge.fit for each of the 100 λ
  (scikit-learn skipped where that would take minutes);
* ``loo``  -- RidgePath(X, y).loo_mse(100 λ)  vs  RidgeCV(alphas=100 λ).fit (both exact LOO).

Each measurement runs in a fresh subprocess so its peak resident memory
(``ru_maxrss``) minus the resident memory just before the call is the memory the
call itself needed; it is reported as a multiple of the size of X.

A second table shows that the well-conditioned path did not slow down: the
current ``ridge_fit`` / ``RidgePath`` against :class:`BaselineRidgePath` /
:func:`baseline_ridge_fit`, a verbatim copy of the old solver kept *only* here,
on teaching sizes (the slider's call: one ``coef`` for a scalar λ, and a 43-λ LOO).

Usage::

    python benchmarks/scaling.py            # full run (~30 min on 2 busy cores), writes RESULTS-scaling.md + scaling.png
    python benchmarks/scaling.py --quick    # small sizes only (a smoke test, seconds)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from tlearn._validation import check_lam, check_prior, check_sample_weight, check_X_y

HERE = Path(__file__).resolve().parent
LAMS = np.logspace(-4, 4, 100)
MAX_X_BYTES = 4e9 / 5  # X plus what the slowest method needs must fit in ~4 GB
MAX_FLOPS = 1e10  # n·d² beyond this (n = 1e5, d = 1000) takes many minutes per call on the shared 2 cores


# ---------------------------------------------------------------------------
# BASELINE: the old solver (before issue 9), verbatim minus unused methods.
# Kept only to show the new code did not slow down. Not part of tlearn.
# ---------------------------------------------------------------------------
def _rank_tol(s, shape):
    return (s[0] if s.size else 0.0) * max(shape) * np.finfo(float).eps


def _solve_svd(X, r, lam):
    """δ = V diag(s / (s² + λ)) Uᵀ r, with λ = 0 giving the pseudo-inverse (Eq. (1.6))."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > _rank_tol(s, X.shape)
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    f = s / (s**2 + lam)  # SVD filter factors, Eq. (1.6)
    c = U.T @ r
    return Vt.T @ (f[:, None] * c if c.ndim == 2 else f * c)


def _solve_spd(A, B):
    """A⁻¹B for symmetric positive-definite A by Cholesky (A is overwritten); LinAlgError if not SPD."""
    return cho_solve(cho_factor(A, overwrite_a=True, check_finite=False), B, check_finite=False)


def _solve_dual(X, r, lam):
    """δ = Xᵀ (XXᵀ + λI)⁻¹ r, the same solution through the n×n system (d > n)."""
    K = X @ X.T
    K.flat[:: K.shape[0] + 1] += lam
    return X.T @ _solve_spd(K, r)


def baseline_ridge_fit(X, y, lam, p, w):
    """:func:`ridge_fit` on already checked inputs (``p``, ``w`` may be None)."""
    if np.isinf(lam):  # Eq. (1.8): λ → ∞ copies the source
        return np.zeros((X.shape[1],) + y.shape[1:]) if p is None else p.copy()
    if w is not None:
        sw = np.sqrt(w)
        X = X * sw[:, None]
        y = y * (sw[:, None] if y.ndim == 2 else sw)
    n, d = X.shape
    if n >= d:  # the d×d normal equations, solved as written in Eq. (1.4)
        G = X.T @ X
        if lam > 1e-10 * np.trace(G) / d:  # λ not negligible next to the mean eigenvalue of XᵀX
            B = X.T @ y
            if p is not None:
                B += lam * p
            G.flat[:: d + 1] += lam
            try:
                return _solve_spd(G, B)  # Eq. (1.4)
            except np.linalg.LinAlgError:  # pragma: no cover - λ>0 keeps it SPD
                pass
    r = y if p is None else y - X @ p  # Eq. (1.5): residual target
    delta = None
    if n < d and lam > 1e-10 * np.einsum("ij,ij->", X, X) / d:
        try:
            delta = _solve_dual(X, r, lam)
        except np.linalg.LinAlgError:  # pragma: no cover - λ>0 keeps it SPD
            pass
    if delta is None:
        delta = _solve_svd(X, r, lam)  # λ ~ 0: the pseudo-inverse limit, Eq. (1.7)
    return delta if p is None else p + delta  # Eq. (1.4)


class BaselineRidgePath:
    """The old RidgePath (thin SVD, λ-chunked LOO), verbatim minus unused methods."""

    def __init__(self, X, y, sample_weight=None, fit_intercept=False):
        X, y = check_X_y(X, y)
        w = check_sample_weight(sample_weight, X.shape[0])
        self.n_samples, self.n_features = X.shape
        self.fit_intercept = bool(fit_intercept)
        self._y1d = y.ndim == 1
        Y = y[:, None] if self._y1d else y
        weighted = w is not None
        w = w if weighted else np.ones(X.shape[0])
        self.sample_weight = w
        if self.fit_intercept:
            self.X_offset = w @ X / w.sum() if weighted else X.mean(axis=0)
            self.y_offset = w @ Y / w.sum() if weighted else Y.mean(axis=0)
            X = X - self.X_offset
            Y = Y - self.y_offset
        else:
            self.X_offset = np.zeros(X.shape[1])
            self.y_offset = np.zeros(Y.shape[1])
        sw = np.sqrt(w)
        self._sw = sw
        self._Xc, self._Yc = X, Y
        Xw, Yw = (X * sw[:, None], Y * sw[:, None]) if weighted else (X, Y)
        U, s, Vt = np.linalg.svd(Xw, full_matrices=False)
        keep = s > _rank_tol(s, Xw.shape)
        self.U, self.s, self.Vt = (U, s, Vt) if keep.all() else (U[:, keep], s[keep], Vt[keep])
        self._Xw, self._Yw = Xw, Yw
        self._UtY = self.U.T @ Yw  # (r, k)
        # Columns spanning the unpenalised directions (the intercept), for leverage.
        if self.fit_intercept:
            u0 = sw / np.linalg.norm(sw)
            self._u0 = u0[:, None]
        else:
            self._u0 = np.zeros((X.shape[0], 0))
        self._U2 = self.U**2
        lev_fixed = np.einsum("ij,ij->i", self._u0, self._u0)
        self._deficit = np.clip(1.0 - self._U2.sum(axis=1) - lev_fixed, 0.0, None)
        self._ones_deficit = self._deficit <= 1e-10  # rows with leverage 1 as λ → 0

    def _lams(self, lam):
        if type(lam) is float or type(lam) is np.float64:  # the slider's hot path: a plain λ >= 0 (inf ok)
            if lam >= 0:  # False for NaN and -inf: those go through check_lam and its message
                return np.array([lam]), True
        lam = check_lam(lam, allow_inf=True, allow_array=True)
        return np.atleast_1d(lam), np.ndim(lam) == 0

    def _prior(self, prior):
        k = None if self._y1d else self._Yw.shape[1]
        p = check_prior(prior, self.n_features, k)
        if p is None:
            return np.zeros((self.n_features, self._Yw.shape[1]))
        return p[:, None] if p.ndim == 1 else p

    def _residual_coords(self, P):
        """c = Uᵀ r_w and the part of r_w outside span(U, intercept), for r = y - X P."""
        C = self._UtY - self.s[:, None] * (self.Vt @ P)  # Uᵀ (Y_w - X_w P)
        R = self._Yw - self._Xw @ P
        R_perp = R - self.U @ C - self._u0 @ (self._u0.T @ R)
        return C, R_perp

    def _out(self, arr, scalar):
        if self._y1d:
            arr = arr[..., 0]
        return arr[0] if scalar else arr

    # -- public -----------------------------------------------------------
    def coef(self, lam, prior=None):
        """Coefficients for λ (scalar → (d,) or (d,k); array of m → (m, d) or (m, d, k)).

        Eq. (1.6) of notebook 01. ``lam`` may include 0 and ``np.inf``.
        """
        lams, scalar = self._lams(lam)
        P = None if prior is None else self._prior(prior)
        C = self._UtY if P is None else self._UtY - self.s[:, None] * (self.Vt @ P)  # Uᵀ(y − X w_A)
        # s > 0 after the rank cut, so λ = 0 gives 1/s and λ = ∞ gives exactly 0: no special cases
        F = self.s[None, :] / (self.s[None, :] ** 2 + lams[:, None])  # Eq. (1.6)
        W = self.Vt.T @ (F[:, :, None] * C)  # (m, d, k)
        if P is not None:
            W += P
        return self._out(W, scalar)

    def _loo_scaled(self, lams, *priors):
        """LOO residuals of the weight-scaled problem for all λ, shape (K, n, m) (K = k per prior).

        The denominators 1 − H_ii do not depend on the prior, so several
        priors (stacked along the first axis, in order) share them.
        """
        coords = [self._residual_coords(P) for P in priors]
        C = np.hstack([c for c, _ in coords])
        R_perp = np.hstack([r for _, r in coords])
        n, K = R_perp.shape
        step = max(1, 2_000_000 // max(n * K, 1))  # λ per chunk: bounds the (K, n, chunk) temporaries
        if step >= lams.size:
            return self._loo_chunk(lams, C, R_perp)
        out = np.empty((K, n, lams.size))
        for lo in range(0, lams.size, step):
            out[:, :, lo:lo + step] = self._loo_chunk(lams[lo:lo + step], C, R_perp)
        return out

    def _loo_chunk(self, lams, C, R_perp):
        """Eq. (1.14) for a few λ: e = ((I − H) r) / (1 − diag H), a matrix product per target."""
        s2 = self.s**2
        finite = np.isfinite(lams)
        # 1 − s²/(s²+λ) = λ/(s²+λ): the residual filter (all ones at λ = ∞); shape (r, m)
        G = np.ones((s2.size, lams.size))
        G[:, finite] = lams[finite] / (s2[:, None] + lams[finite])
        num = self.U @ (C.T[:, :, None] * G[None]) + R_perp.T[:, :, None]  # (K, n, m): (I − H) r
        den = self._U2 @ G + self._deficit[:, None]  # (n, m): 1 − H_ii
        if np.any(self._ones_deficit) and np.any(finite):
            # Rows with leverage 1 at λ = 0: divide numerator and denominator by λ (finite as λ → 0⁺).
            fi, ri = np.flatnonzero(finite), np.flatnonzero(self._ones_deficit)
            Hm = 1.0 / (s2[:, None] + lams[finite])  # (r, m_f)
            num[:, ri[:, None], fi] = self.U[ri] @ (C.T[:, :, None] * Hm[None])
            den[np.ix_(ri, fi)] = self._U2[ri] @ Hm
        num /= den  # Eq. (1.14)
        return num

    def loo_mse(self, lam, prior=None):
        """Mean squared leave-one-out error (weighted by sample_weight), Eq. (1.14).

        A float for a scalar λ, an array (m,) for m values. Averaged over
        targets when y is 2-D.
        """
        lams, scalar = self._lams(lam)
        self._check_loo()
        mse = self._mse(self._loo_scaled(lams, self._prior(prior)))
        return float(mse[0]) if scalar else mse

    def _check_loo(self):
        if self.n_samples < 2 + self.fit_intercept:
            raise ValueError(
                f"leave-one-out needs at least {2 + self.fit_intercept} samples "
                f"(with fit_intercept={self.fit_intercept}), got n_samples = {self.n_samples}"
            )

    def _mse(self, E):
        """Weighted mean squared LOO error per λ from scaled residuals sqrt(w_i) e_i, shape (k, n, m)."""
        return np.einsum("knm,knm->m", E, E) / (E.shape[0] * self.sample_weight.sum())


# ---------------------------------------------------------------------------
# One measurement (run in a subprocess)
# ---------------------------------------------------------------------------
def make_data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n)
    return X, y


def operation(op, lib):
    """The callable (X, y) -> anything that one benchmark row times."""
    import tlearn
    from sklearn.linear_model import Ridge, RidgeCV

    table = {
        ("fit", "tlearn"): lambda X, y: tlearn.TransferRidge(lam=1.0).fit(X, y),
        ("fit", "sklearn"): lambda X, y: Ridge(alpha=1.0).fit(X, y),
        ("path", "tlearn"): lambda X, y: tlearn.RidgePath(X, y, fit_intercept=True).coef(LAMS),
        ("path", "sklearn"): lambda X, y: [Ridge(alpha=a).fit(X, y).coef_ for a in LAMS],
        ("loo", "tlearn"): lambda X, y: tlearn.RidgePath(X, y, fit_intercept=True).loo_mse(LAMS),
        ("loo", "sklearn"): lambda X, y: RidgeCV(alphas=LAMS).fit(X, y),
    }
    return table[(op, lib)]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure_one(n, d, op, lib):
    """Time (best of a few for small problems) and peak extra memory of one call."""
    X, y = make_data(n, d)
    fn = operation(op, lib)
    fn(X[:50], y[:50])  # imports and first-call costs out of the way
    before = rss_bytes()
    t0 = time.perf_counter()
    fn(X, y)
    best = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    repeats = 5 if n * d <= 1e5 else (2 if n * d <= 1e7 else 0)
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(X, y)
        best = min(best, time.perf_counter() - t0)
    return {"n": n, "d": d, "op": op, "lib": lib, "seconds": best, "peak_bytes": max(peak, 0), "x_bytes": X.nbytes,
            "load": os.getloadavg()[0]}  # the machine's 1-minute load average (its range is in the report)


def run_child(n, d, op, lib, timeout):
    """One measurement in a fresh process; a call slower than ``timeout`` s is recorded as a lower bound."""
    cmd = [sys.executable, __file__, "--one", str(n), str(d), op, lib]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        return {"n": n, "d": d, "op": op, "lib": lib, "seconds": None, "timeout": timeout,
                "peak_bytes": None, "x_bytes": n * d * 8}
    return json.loads(out.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------
def grid(quick):
    if quick:
        return [(n, d) for d in (10, 100) for n in (100, 1000)] + [(50, 2000)]
    tall = [(int(n), d) for d in (10, 100, 1000) for n in (1e2, 1e3, 1e4, 1e5, 1e6)
            if n * d * 8 <= MAX_X_BYTES and n * d * d <= MAX_FLOPS]
    wide = [(100, 10_000), (100, 100_000), (1000, 10_000)]
    return tall + wide


def wanted(n, d, op, lib):
    """scikit-learn's 100 separate fits are skipped where they would take minutes."""
    return not (op == "path" and lib == "sklearn" and n * min(n, d) * d > 2e9)


def scaling_rows(quick, log=None, timeout=600):
    """Every (n, d, op, lib) measurement; each row is also appended to the file ``log`` (JSON lines),
    and rows already in ``log`` are not measured again (an interrupted run resumes)."""
    rows = [json.loads(line) for line in open(log)] if log and Path(log).exists() else []
    done = {(r["n"], r["d"], r["op"], r["lib"]) for r in rows}
    for n, d in grid(quick):
        for op in ("fit", "path", "loo"):
            for lib in ("tlearn", "sklearn"):
                if wanted(n, d, op, lib) and (n, d, op, lib) not in done:
                    row = run_child(n, d, op, lib, timeout)
                    rows.append(row)
                    if log:
                        with open(log, "a") as f:
                            f.write(json.dumps(row) + "\n")
                    print(f"{op:5s} {lib:8s} n={n:>8d} d={d:>6d}  {_fmt_s(row['seconds'], row):>9s} s  "
                          f"peak {_fmt_mem(row)}× X", flush=True)
    return rows


def _fmt_s(t, row=None):
    if t is None:
        return f"> {row['timeout']:.0f}" if row and row.get("timeout") else "—"
    return f"{t:.3g}"


def _fmt_mem(row):
    return "—" if row is None or row["peak_bytes"] is None else f"{row['peak_bytes'] / row['x_bytes']:.2f}"


def exponents(rows):
    """Least-squares slope of log(time) against log(n) for n ≥ 1e4, per (op, lib, d)."""
    out = {}
    for op in ("fit", "path", "loo"):
        for lib in ("tlearn", "sklearn"):
            for d in (10, 100, 1000):
                pts = [(r["n"], r["seconds"]) for r in rows
                       if (r["op"], r["lib"], r["d"]) == (op, lib, d) and r["n"] >= 1e4 and r["n"] > d
                       and r["seconds"] is not None]
                if len(pts) >= 2:
                    n, t = np.log10(np.array(pts)).T
                    out[(op, lib, d)] = float(np.polyfit(n, t, 1)[0])
    return out


# ---------------------------------------------------------------------------
# No slow-down of the well-conditioned path: new code vs the baseline above
# ---------------------------------------------------------------------------
def paired_times(f_new, f_old, rounds=15, number=None):
    """Seconds per call of two functions, interleaved (the machine is shared) and the best of many rounds."""
    f_new(), f_old()
    if number is None:
        t0 = time.perf_counter()
        f_old()
        number = max(1, int(0.01 / max(time.perf_counter() - t0, 1e-7)))
    best = [np.inf, np.inf]
    for _ in range(rounds):
        for j, f in enumerate((f_new, f_old)):
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            best[j] = min(best[j], (time.perf_counter() - t0) / number)
    return best


def baseline_public_fit(X, y, lam, prior):
    """The old public ridge_fit: the same checks, then the old router."""
    X, y = check_X_y(X, y)
    return baseline_ridge_fit(X, y, check_lam(lam, allow_inf=True), check_prior(prior, X.shape[1]), None)


#: The slow-down the regression table tolerates: about the timing noise of a call of ~10-500 µs on the shared machine.
MAX_SLOWDOWN = 1.10


def regression_rows(quick, rounds=15, log=None):
    import tlearn
    from tlearn.ridge import DEFAULT_LAMS

    rows = []
    for n, d in [(20, 10), (50, 10), (200, 50)] + ([] if quick else [(1000, 100), (30, 200)]):
        X, y = make_data(n, d, seed=1)
        p = np.random.default_rng(2).standard_normal(d)
        new, old = tlearn.RidgePath(X, y), BaselineRidgePath(X, y)
        cases = {
            "ridge_fit(λ=1)": (lambda: tlearn.ridge_fit(X, y, 1.0, prior=p), lambda: baseline_public_fit(X, y, 1.0, p)),
            "RidgePath(X, y)": (lambda: tlearn.RidgePath(X, y), lambda: BaselineRidgePath(X, y)),
            "coef(λ) (slider)": (lambda: new.coef(0.7, prior=p), lambda: old.coef(0.7, prior=p)),
            "loo_mse(43 λ)": (lambda: new.loo_mse(DEFAULT_LAMS, prior=p), lambda: old.loo_mse(DEFAULT_LAMS, prior=p)),
        }
        for name, (f_new, f_old) in cases.items():
            t_new, t_old = paired_times(f_new, f_old, rounds)
            rows.append({"n": n, "d": d, "call": name, "new": t_new, "old": t_old, "load": os.getloadavg()[0]})
            print(f"{name:18s} n={n:5d} d={d:4d}  new {t_new * 1e6:9.1f} µs  old {t_old * 1e6:9.1f} µs  "
                  f"ratio {t_new / t_old:5.2f}", file=log, flush=True)
    return rows


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    colours = {10: "tab:blue", 100: "tab:orange", 1000: "tab:green"}
    for j, op in enumerate(("fit", "path", "loo")):
        for lib, style in (("tlearn", "-o"), ("sklearn", "--s")):
            for d, c in colours.items():
                pts = sorted((r["n"], r["seconds"], r["peak_bytes"] / r["x_bytes"]) for r in rows
                             if (r["op"], r["lib"], r["d"]) == (op, lib, d) and r["n"] > d and r["seconds"])
                if pts:
                    n, t, m = np.array(pts).T
                    axes[0, j].loglog(n, t, style, color=c, ms=4, label=f"{lib}, d={d}")
                    axes[1, j].semilogx(n, m, style, color=c, ms=4)
        axes[0, j].set_title({"fit": "fit (one λ)", "path": "100-λ path", "loo": "exact LOO, 100 λ"}[op])
        axes[1, j].set_xlabel("n (samples)")
        axes[1, j].axhline(3, color="grey", lw=0.8, ls=":")
    axes[0, 0].set_ylabel("seconds")
    axes[1, 0].set_ylabel("peak extra memory / size of X")
    axes[0, 2].legend(fontsize=7, ncol=2)
    fig.suptitle("tlearn (solid) vs scikit-learn Ridge/RidgeCV (dashed), n ≫ d")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def write_markdown(rows, reg, path, quick):
    by = {(r["n"], r["d"], r["op"], r["lib"]): r for r in rows}
    lines = ["# How the cost of ridge grows (issue 12)", "",
             f"Written by `python benchmarks/scaling.py{' --quick' if quick else ''}` on a shared 2-core machine "
             f"(NumPy {np.__version__}); times are the best of a few calls, memory is the peak resident memory "
             "a call added, as a multiple of the size of X. 100 λ from 1e-4 to 1e4; y is 1-D. The machine is "
             "shared with other jobs, so a single time can be inflated several-fold (rows are measured minutes "
             "apart, one process each); memory below ~1 MB of X is at the resolution of the RSS counter.", "",
             *_load_line(rows, "the scaling runs"),
             "![scaling](scaling.png)", "",
             "| n | d | op | tlearn s | sklearn s | speed-up | tlearn peak/X | sklearn peak/X |",
             "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for n, d in dict.fromkeys((r["n"], r["d"]) for r in rows):
        for op in ("fit", "path", "loo"):
            a, b = by.get((n, d, op, "tlearn")), by.get((n, d, op, "sklearn"))
            if a is None:
                continue
            lines.append(f"| {n:.0e} | {d} | {op} | {_fmt_s(a['seconds'], a)} | {_fmt_s(b and b['seconds'], b)} | "
                         f"{_speed(a, b)} | {_fmt_mem(a)} | {_fmt_mem(b)} |")
    lines += ["", "## Fitted exponents (time ∝ n^k for n ≥ 1e4)", "", "| op | library | d | k |", "|---|---|---:|---:|"]
    lines += [f"| {op} | {lib} | {d} | {k:.2f} |" for (op, lib, d), k in exponents(rows).items()]
    lines += target_lines(by)
    lines += ["", "## The well-conditioned path vs the old solver", "",
              "`BaselineRidgePath` / `baseline_ridge_fit` in `benchmarks/scaling.py` are the solver before issue 9 "
              "(with today's input checks, so only the solvers differ); the two are called alternately, best of 15 "
              "rounds each.", "", *_load_line(reg, "these timings"), *slowdown_verdict(reg), "",
              "| call | n | d | new µs | old µs | new/old |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['call']} | {r['n']} | {r['d']} | {r['new'] * 1e6:.1f} | {r['old'] * 1e6:.1f} | "
              f"{r['new'] / r['old']:.2f} |" for r in reg]
    Path(path).write_text("\n".join(lines) + "\n")


def slowdown_verdict(reg):
    """One line: the worst new/old ratio of the regression table, judged against :data:`MAX_SLOWDOWN`."""
    if not reg:
        return []
    worst = max(reg, key=lambda r: r["new"] / r["old"])
    ratio = worst["new"] / worst["old"]
    return [f"**Worst new/old: {ratio:.2f} ({worst['call']} at n = {worst['n']}, d = {worst['d']}); goal ≤ "
            f"{MAX_SLOWDOWN:.2f} (no slow-down beyond timing noise): {'MET' if ratio <= MAX_SLOWDOWN else 'MISSED'}.**"]


def _load_line(rows, what):
    """The range of the 1-minute load average the rows were measured at (2 cores), as a report line."""
    loads = [r["load"] for r in rows if r.get("load") is not None]
    if not loads:
        return []
    return [f"1-minute load average during {what}: {min(loads):.1f}–{max(loads):.1f} (2 cores).", ""]


def target_lines(by):
    a, b = by.get((1_000_000, 100, "loo", "tlearn")), by.get((1_000_000, 100, "loo", "sklearn"))
    if a is None or b is None:
        return ["", "Target (n = 1e6, d = 100) not measured in this run."]
    t_b = b["seconds"] if b["seconds"] is not None else b["timeout"]  # a lower bound when it timed out
    speed, mem = t_b / a["seconds"], a["peak_bytes"] / a["x_bytes"]
    ok = "MET" if speed >= 5 and mem <= 3 else "MISSED"
    return ["", f"**Target at n = 1e6, d = 100 (exact LOO over 100 λ): {_speed(a, b)} faster than RidgeCV "
            f"(goal ≥ 5×), peak memory {mem:.2f}× X (goal ≤ 3×): {ok}.**"]


def _speed(a, b):
    """sklearn time / tlearn time; '> k×' when scikit-learn did not finish within its timeout."""
    if b is None or a["seconds"] is None:
        return "—"
    if b["seconds"] is None:
        return f"> {b['timeout'] / a['seconds']:.1f}×"
    return f"{b['seconds'] / a['seconds']:.1f}×"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (seconds)")
    ap.add_argument("--one", nargs=4, metavar=("N", "D", "OP", "LIB"), help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(HERE), help="folder for RESULTS-scaling.md and scaling.png")
    ap.add_argument("--log", help="append every measurement to this JSON-lines file as it is made")
    ap.add_argument("--timeout", type=float, default=600, help="seconds one call may take (default 600)")
    ap.add_argument("--report-from", help="skip the scaling runs; read them from a --log file")
    ap.add_argument("--regression-json", type=int, metavar="ROUNDS",
                    help="only the new-vs-old table, ROUNDS rounds, printed as JSON (benchmarks/run.py case 8)")
    ap.add_argument("--blas-threads", type=int, default=0, help="BLAS threads for --regression-json (0: default)")
    args = ap.parse_args(argv)
    if args.regression_json:
        from contextlib import nullcontext

        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=args.blas_threads) if args.blas_threads > 0 else nullcontext():
            print(json.dumps(regression_rows(args.quick, args.regression_json, log=sys.stderr)))
        return 0
    if args.one:
        n, d, op, lib = args.one
        print(json.dumps(measure_one(int(n), int(d), op, lib)))
        return 0
    reg = regression_rows(args.quick)
    if args.report_from:  # rebuild the report from a log of an earlier (possibly interrupted) run
        rows = [json.loads(line) for line in open(args.report_from)]
    else:
        rows = scaling_rows(args.quick, args.log, args.timeout)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plot(rows, out / "scaling.png")
    write_markdown(rows, reg, out / "RESULTS-scaling.md", args.quick)
    print(f"wrote {out / 'RESULTS-scaling.md'} and {out / 'scaling.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
