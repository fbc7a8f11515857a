"""`hw3 grade SUBMISSION_DIR`: run a student's scripts the way the course does and measure them.

`runner.py` copies the submission and runs one script under a time limit, `figure.py` checks a
PNG and cuts the face cells out of it, `pair_files.py` lays all 132 (hair, eyes) pairs out over
25-line tags files, `grading.py` ties it together and computes the numbers, `summary.py` writes
the markdown. A submission's failure is a result (crashed, timed out, no output, wrong size),
never an exception of the grader.
"""
