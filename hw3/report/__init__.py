"""Figures and tables made from runs, logs and metrics (the report and the notebooks use them)."""
