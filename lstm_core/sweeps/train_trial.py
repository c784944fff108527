"""One trial of a training sweep, as a Ray worker runs it: window, train, score, return the model.

The worker makes the trial's experiment (``lstm_core.experiment.make_experiment``) from the
rows the driver put in Ray's object store, as ``python -m lstm_core train`` does, and trains
with the Train page's own job (``lstm_core.train.TrainingJob``: the same model building,
``fit`` loop, early stopping and test scoring beside the naive and seasonal-naive yardsticks,
``lstm_core.forecast.scores.score_test_split``). It writes nothing to the run store: each
epoch goes to the sweep's ``Progress`` actor, and the result carries the history, the test
metrics and the trained model's ``.keras`` bytes for the driver to keep.
Like every trial it runs on one thread (``lstm_core.sweeps.trial.THREAD_ENV``).
"""

from __future__ import annotations

import os
import time

from lstm_core.sweeps.trial import keras_bytes, stop_poller

POLL_S = 0.25  # how often the worker asks whether the sweep is stopping


class _ProgressRecorder:
    """A ``RunRecorder`` stand-in for ``TrainingJob``: each epoch to the ``Progress`` actor."""

    def __init__(self, progress, key: str) -> None:
        self._progress, self._key = progress, key

    def start(self, model_spec, config, windows, name: str) -> None:
        return None  # the driver creates the run

    def beat(self) -> None:
        pass

    def epoch(self, epoch: int, record: dict) -> None:
        self._progress.push.remote(self._key, epoch, record)

    def model(self, model) -> None:
        pass  # returned as bytes instead

    def diagnosis(self, diagnosis) -> None:
        pass  # returned instead

    def finish(self, status: str, result, error: str | None) -> None:
        pass


def run_training_trial(document: dict, key: str, progress, rows) -> dict:
    """Window ``rows``, train and score the experiment of ``document``; return the result.

    Args:
        document: the trial's experiment (``experiment_io.experiment_document``), every part set.
        key: the trial's key, with which its epochs are reported.
        progress: the sweep's ``ray_backend.Channel`` to the ``Progress`` actor (``push``,
            ``stopping``).
        rows: the data's rows (a ``pandas.DataFrame``), as the driver loaded them.

    Returns:
        ``{"summary", "history", "loss", "val_loss", "test_metrics", "timings", "diagnosis",
        "model", "stopped", "pid"}``: ``history`` one dict per epoch (loss, val_loss and the
        metric), ``model`` the trained model's ``.keras`` file as bytes.

    Raises:
        RuntimeError: the training failed, with the job's message.
    """
    from lstm_core.experiment import make_experiment
    from lstm_core.experiment_io import experiment_from_document
    from lstm_core.sweeps.training import summary_of
    from lstm_core.train import TrainingJob

    progress.push.remote(key, 0, {"pid": os.getpid(), "started": time.time()})
    experiment = experiment_from_document(document)
    setup = make_experiment(
        **experiment.data,  # sample=NAME or file=NAME: the rows are given
        frame=rows,
        window=experiment.window,
        layers=experiment.model.layers,
        train=experiment.train,
    )  # windows x: (samples, timesteps, features)
    job = TrainingJob(
        setup.windows,
        setup.experiment.model,
        setup.experiment.train,
        recorder=_ProgressRecorder(progress, key),
    ).start()
    should_stop = stop_poller(progress)
    while not job.wait(POLL_S).done:
        if should_stop():
            job.stop()
    final = job.snapshot()
    if final.status == "failed":
        raise RuntimeError(final.error)
    result = job.result
    history = final.history.to_dict("records")
    return {
        "summary": summary_of(result.test_metrics, result.timings),
        "history": history,
        "loss": [record["loss"] for record in history],
        "val_loss": [record.get("val_loss") for record in history],
        "test_metrics": result.test_metrics,
        "timings": result.timings,
        "diagnosis": result.diagnosis,
        "model": keras_bytes(job.model),
        "stopped": final.status == "stopped",
        "pid": os.getpid(),
    }
