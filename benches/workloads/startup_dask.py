"""Start-up baseline: Python with dask.array imported."""
import dask.array  # noqa: F401

print("ok", 1)
