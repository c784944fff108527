"""LSTM Lab's performance benchmarks: ``python benchmarks/run_all.py [--quick]`` runs them all."""
