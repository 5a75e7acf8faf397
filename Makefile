# Arr — two commands for a new user:
#   make run    installs what is missing, builds, runs the tour example
#   make test   installs what is missing, builds, runs every test
# Also: make bench (benchmarks, later issues), make fuzz (FUZZ_SECONDS per target), make lint.

CARGO ?= cargo
PYTHON ?= python3
ARR := target/release/arr

.PHONY: run test build deps lint fuzz fuzz-smoke examples

deps:
	@$(PYTHON) -c "import numpy" 2>/dev/null || $(PYTHON) -m pip install --quiet "numpy>=2"
	@# I/O: the system's HDF5 library (hdf5-metno links it), a font for picture labels, and
	@# the peers of the round-trip tests (h5py, zarr-python).
	@if ! pkg-config --exists hdf5 2>/dev/null || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  echo "apt-get install libhdf5-dev pkg-config fonts-dejavu-core"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libhdf5-dev pkg-config fonts-dejavu-core >/dev/null \
	    || { echo "error: install libhdf5-dev, pkg-config and fonts-dejavu-core (as root)"; exit 1; }; \
	fi
	@$(PYTHON) -c "import h5py, zarr" 2>/dev/null || $(PYTHON) -m pip install --quiet h5py zarr
	@# The language server's real-client test: Debian's Neovim (its built-in LSP client).
	@command -v nvim >/dev/null 2>&1 || { echo "apt-get install neovim"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null \
	    || { echo "error: install neovim (as root)"; exit 1; }; }
	@# The dashboard's browser test: Debian's chromium, driven by playwright-core from npm
	@# (pinned in tests/browser/package.json; it downloads no browser of its own).
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "apt-get install chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
	    || { echo "error: install chromium (as root)"; exit 1; }; \
	fi
	@[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --no-audit --no-fund --silent)
	@# Compressed I/O peers: HDF5 filter plugins, xarray and netCDF4 (tests/integration/io_codecs.rs).
	@$(PYTHON) -c "import hdf5plugin, xarray, netCDF4, numcodecs" 2>/dev/null || $(PYTHON) -m pip install --quiet hdf5plugin xarray netCDF4 numcodecs
	@# The CUDA backend's tests without a GPU: NVRTC from its pip wheel (src/backend/cuda/nvrtc.rs
	@# finds the library through python3; no CUDA toolkit or driver needed). 12.4: its PTX is
	@# loaded by every driver from R550 on (a newer NVRTC's PTX needs a driver as new as it).
	@$(PYTHON) -c "import nvidia.cuda_nvrtc" 2>/dev/null || $(PYTHON) -m pip install --quiet "nvidia-cuda-nvrtc-cu12==12.4.127"
	@# Scale-out (the `mpi` feature, src/exec/dist/): Debian's MPICH, and libclang for the
	@# bindings rsmpi generates at build time.
	@if ! command -v mpicc >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; then \
	  echo "apt-get install mpich libmpich-dev libclang-dev"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mpich libmpich-dev libclang-dev >/dev/null \
	    || { echo "error: install mpich, libmpich-dev and libclang-dev (as root)"; exit 1; }; \
	fi

# Built with MPI: a plain `arr FILE` is one process; `mpirun -np N arr FILE` scales out.
FEATURES ?= --features mpi

build:
	$(CARGO) build --release $(FEATURES)

run: deps build
	@echo "== examples/tour.arr =="
	$(ARR) examples/tour.arr

test: deps build
	ARR_REQUIRE_NUMPY=1 ARR_REQUIRE_NVIM=1 ARR_REQUIRE_BROWSER=1 ARR_REQUIRE_MPI=1 ARR_REQUIRE_NVRTC=1 $(CARGO) test --release $(FEATURES)
	$(MAKE) fuzz-smoke

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings
	$(CARGO) clippy --release --all-targets $(FEATURES) -- -D warnings

examples: build
	/usr/bin/time -v $(ARR) examples/random_mean.arr
	/usr/bin/time -v $(ARR) examples/blocked_stats.arr
	/usr/bin/time -v $(ARR) examples/lennard_jones.arr

# Fuzzing on the stable toolchain (cargo-fuzz needs nightly flags: RUSTC_BOOTSTRAP=1), each
# target for FUZZ_SECONDS (default 60) with leak detection; the checker's corpus is seeded
# from tests/cases. A crash stops the run; its input is under fuzz/artifacts/TARGET/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = check kernel_text npy_header zarr_metadata hdf5_chunk
fuzz:
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	@mkdir -p fuzz/corpus/check && find tests/cases -name '*.arr' -exec cp {} fuzz/corpus/check/ \;
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -detect_leaks=1 || exit 1; \
	done

# The fuzz smoke run `make test` ends with: every fuzz target for FUZZ_SMOKE_SECONDS
# (default 60, as issue 12 asks), leak detection on; any crash or leak fails it. The first run builds the
# instrumented targets (about 15 min of CPU on 2 cores; later runs reuse fuzz/target).
FUZZ_SMOKE_SECONDS ?= 60
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

# --- bench: Arr vs Dask vs NumPy on the seed workloads (benches/README.md) -----------------
#   (deps: libhdf5 for Arr's from_hdf5, h5py; then pip installs dask if it is missing)
#   make bench               every workload at the default sizes, table in benches/results/
#   make bench W=W2          one workload (W1..W5, W5-mask, W7, overhead, graph; commas for more)
#   make bench FULL=1        the seeds' sizes (hours)
#   make bench BENCH_ARGS="--repeat 5"
.PHONY: bench
bench: deps build
	@missing=""; \
	for spec in numpy:numpy dask:dask[array] h5py:h5py; do \
	  $(PYTHON) -c "import $${spec%%:*}" 2>/dev/null || missing="$$missing $${spec#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "pip install$$missing"; $(PYTHON) -m pip install --quiet $$missing; \
	fi
	$(PYTHON) benches/run.py $(if $(W),--only $(W)) $(if $(FULL),--full) $(BENCH_ARGS)
