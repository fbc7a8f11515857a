"""What the notebooks call: a variant's shipped files and figures, the evaluation overview and
the explorer's widget logic. The notebooks only orchestrate and show."""
