"""Performance benchmarks of the dashboard (issue #7): `python -m benchmarks.run`."""
