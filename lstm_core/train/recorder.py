"""``RunRecorder``: what a training job writes to the run store, given to the job.

The job says what happened (started, an epoch ended, still alive, the model, the end); the
recorder turns that into ``RunStore`` writes under one workspace. A job given no recorder
keeps nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from lstm_core.data.kinds import window_to_dict
from lstm_core.runs import LOCAL_WORKSPACE

# Seconds between heartbeats to the run store, so another process sees the run is alive.
HEARTBEAT_S = 10.0


class RunRecorder:
    """Keep one training run in ``store``.

    Args:
        store: a ``lstm_core.runs.RunStore``.
        workspace: the store's workspace the run belongs to.
        dataset: a name (or a dict with a ``"name"``) saying where the data came from.
        window_spec: the ``WindowSpec`` or ``SequenceSpec`` (or its dict) that made the
            windows, kept so that the run can be repeated; or None.
    """

    def __init__(
        self,
        store,
        *,
        workspace: str = LOCAL_WORKSPACE,
        dataset: str | Mapping | None = None,
        window_spec=None,
    ) -> None:
        self.store = store
        self.workspace = workspace
        self.dataset = dict(dataset) if isinstance(dataset, Mapping) else {"name": dataset or ""}
        self._window_spec = window_spec
        self.run_id: str | None = None  # once started
        self._last_beat = 0.0

    def start(self, model_spec, config, windows, name: str) -> str:
        """Create the run (settings, data summary, window spec); return its id."""
        self.run_id = self.store.create_run(
            model_spec=model_spec.to_dict(),
            train_config=config.to_dict(),
            dataset={**self.dataset, **windows.summary()},
            window_spec=_as_dict(self._window_spec),
            workspace=self.workspace,
            name=name,
        )
        self._last_beat = time.monotonic()
        return self.run_id

    def beat(self) -> None:
        """Say the run is alive, at most every ``HEARTBEAT_S`` seconds."""
        now = time.monotonic()
        if now - self._last_beat > HEARTBEAT_S:
            self.store.heartbeat(self.run_id)
            self._last_beat = now

    def epoch(self, epoch: int, record: dict) -> None:
        """Keep a finished epoch's losses and metrics (a heartbeat too)."""
        self.store.record_epoch(self.run_id, epoch, record)
        self._last_beat = time.monotonic()

    def model(self, model) -> None:
        """Keep the trained ``keras.Model`` beside the run."""
        self.store.save_model(self.run_id, model)

    def diagnosis(self, diagnosis: Mapping) -> None:
        """Keep the trained model's ``lstm_core.inspect.diagnose`` figures with the run."""
        self.store.save_diagnosis(self.run_id, diagnosis)

    def finish(self, status: str, result, error: str | None) -> None:
        """Close the run with its status, and the test metrics and timings of ``result``."""
        if self.run_id is None:  # failed before the run was created: nothing to close
            return
        self.store.finish_run(
            self.run_id,
            status,
            test_metrics=None if result is None else result.test_metrics,
            timings=None if result is None else result.timings,
            error=error,
        )


def _as_dict(spec) -> dict | None:
    if spec is None or isinstance(spec, Mapping):
        return spec
    return window_to_dict(spec)
