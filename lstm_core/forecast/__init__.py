"""Yardsticks for a forecast: the baselines a model must beat, its scores against them, and
the verdict in words.

- ``baselines.py``: naive, seasonal naive and mean forecasts of a series' windows, and the
  majority class of a classification;
- ``scores.py``: test metrics in the data's units beside every baseline, MASE and skill,
  per target and per horizon step;
- ``stored.py``: a stored run's test results read back: which kind, each target's scores;
- ``verdict.py``: one sentence on whether the result is good, and the warnings a forecaster
  expects, each with its fix.

The baselines are computed on exactly the windows the model is scored on (Darts, statsforecast
and the TensorFlow time-series tutorial all put them first: a score without its yardstick says
nothing).
"""
