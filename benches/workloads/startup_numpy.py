"""Start-up baseline: Python with numpy imported."""
import numpy  # noqa: F401

print("ok", 1)
