#!/usr/bin/env bash
# Strong and weak scaling of W3 and W1 under MPI from 1 to 16 ranks (1 thread each), for a
# machine with 16 cores (under 8 minutes there): builds with the mpi feature, then runs
# benches/mpi.py scaling and prints the table. Needs MPICH (make deps).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v mpirun >/dev/null || { echo "mpirun not found: make deps"; exit 1; }
cargo build --release --features mpi
python3 benches/mpi.py scaling --max-ranks "${MAX_RANKS:-16}"
