"""Benchmarks of the course (``make bench``): figures printed as one table, never timed tests.

Each row is a median over repeated runs, set against a baseline measured in the same run, with the goal
the course sets for it. Sections: :mod:`.notebooks` (executing the notebooks), :mod:`.numerics`
(``q_sample``, the noise draw, the chain against the closed form, the scrubber) and :mod:`.grading`
(autograding one submission and a class). ``python -m benchmarks --help`` lists the options.
"""
