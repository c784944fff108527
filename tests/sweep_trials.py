"""Trial functions for the sweep tests, run by Ray workers: one raises, one kills its worker
(of a comparison sweep, and of a training sweep).

Imported as ``tests.sweep_trials`` so that a worker, which has the repository on its path,
finds it by that name.
"""

import os
import signal

from lstm_core.sweeps.trial import run_trial

RAISES = "kind=rnn,seed=1"
KILLED = "kind=lstm,seed=1"


def faulty_trial(config_dict, key, progress):
    """``run_trial``, except that trial ``RAISES`` raises and trial ``KILLED`` kills its worker
    after reporting its start."""
    import ray

    if key == RAISES:
        raise RuntimeError("this trial fails on purpose")
    if key == KILLED:
        ray.get(progress.push.remote(key, 0, {"pid": os.getpid()}))
        os.kill(os.getpid(), signal.SIGKILL)
    return run_trial(config_dict, key, progress)


def timed_trial(config_dict, key, progress):
    """``run_trial``, appending ``key start end`` (Unix seconds) to the file named by
    ``$SWEEP_TRIAL_LOG``, to check how many trials ran at once."""
    import time

    started = time.time()
    result = run_trial(config_dict, key, progress)
    with open(os.environ["SWEEP_TRIAL_LOG"], "a") as log:
        log.write(f"{key} {started} {time.time()}\n")
    return result


TRAINING_KILLED = "kind=gru,seed=0"


def killing_training_trial(document, key, progress, rows):
    """``run_training_trial``, except that trial ``TRAINING_KILLED`` kills its worker after
    reporting its start."""
    import ray

    from lstm_core.sweeps.train_trial import run_training_trial

    if key == TRAINING_KILLED:
        ray.get(progress.push.remote(key, 0, {"pid": os.getpid()}))
        os.kill(os.getpid(), signal.SIGKILL)
    return run_training_trial(document, key, progress, rows)


def wait_for_epochs(job, epochs: int, wait_s: float) -> None:
    """Wait until a trial of sweep ``job`` has reported ``epochs`` epochs (run by the tests, not
    the workers); fail with the job's snapshot after ``wait_s`` seconds."""
    import time

    deadline = time.monotonic() + wait_s
    while not any(trial["epochs"] >= epochs for trial in job.snapshot().trials):
        assert time.monotonic() < deadline, job.snapshot()
        time.sleep(0.2)
