"""Test set-up: a non-interactive matplotlib backend for unit tests.

Notebook kernels started by nbval are separate processes and keep their own
(inline) backend, so their committed outputs stay as a reader sees them.
"""
import matplotlib

matplotlib.use("Agg")
