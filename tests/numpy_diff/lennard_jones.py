"""Checks examples/lennard_jones.arr against NumPy: Arr prints the cluster it generated (in
pieces small enough to print in full) and its energy; NumPy recomputes the energy of that
exact cluster, which must agree to 1e-9 relative.

usage: python3 lennard_jones.py ARR_BINARY [N]
"""
import subprocess
import sys

import numpy as np


def main():
    arr, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7000
    with open("examples/lennard_jones.arr") as f:
        program = f.read()
    program += "\nfor i in range(0, n, 300) { print(\"rows\", cluster[i:i + 300]) }\n"
    out = subprocess.run([arr, "-e", program, str(n)], capture_output=True, text=True, check=True).stdout
    energy = None
    rows = []
    for line in out.splitlines():
        if line.startswith("energy:"):
            energy = float(line.split()[1])
        elif line.startswith("rows "):
            rows.extend(eval(line[5:].replace("nan", "float('nan')")))
    c = np.array(rows, dtype=np.float64)
    assert c.shape == (n, 3), c.shape
    # The seed's NumPy code, blocked over rows so memory stays small.
    total = 0.0
    for lo in range(0, n, 500):
        diff = c[lo:lo + 500, None, :] - c[None, :, :]
        r2 = (diff * diff).sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            sr6 = (1 / r2) ** 3
            total += np.nansum(4 * (sr6 * sr6 - sr6))
    expected = total / 2
    rel = abs(energy - expected) / abs(expected)
    print(f"lennard_jones: arr {energy!r} numpy {expected!r} relative difference {rel:.3e}")
    if rel > 1e-9:
        print("lennard_jones: 0 passed, 1 failed")
        sys.exit(1)
    print("lennard_jones: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
