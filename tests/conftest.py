import os

# Tests run tiny networks: brian2's numpy target compiles nothing.
os.environ.setdefault("PAINSIM_TARGET", "numpy")
os.environ.setdefault("MPLBACKEND", "Agg")
