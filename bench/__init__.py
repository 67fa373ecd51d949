"""Benchmarks of Handoff (`handoff bench run [--quick]`): each figure is measured on a fresh embedded
database and written beside its goal (bench/suite.py). Product code never imports this package."""
