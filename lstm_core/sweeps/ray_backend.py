"""Where a sweep's trials run: Ray, local by default, or an existing Ray cluster.

Ray is imported here only, and only when a sweep starts: the pages and commands that do not
sweep never load it. Trials are Ray core tasks, one CPU each, with no retries (a trial whose
worker dies is reported as failed, not run twice behind the user's back). Ray Tune is not used:
its search algorithms and early stopping do not fit a grid of seeds whose every point must be
measured, and its own result store would be a second one beside the run store.

- **Local** (no address): ``ray.init`` starts a Ray instance in this process's machine, without
  the dashboard, of ``local_cpus`` CPUs: the machine's cores, but no more than the job slots the
  settings allow (``LSTM_LAB_MAX_CONCURRENT_JOBS``), since each trial is a training job on this
  machine and the slots are what its memory was sized for. Workers import ``lstm_core`` from the folder this
  package was loaded from (``PYTHONPATH``), whatever the current folder of the app.
- **A cluster** (``address``, or the ``RAY_ADDRESS`` variable, e.g. ``ray://head:10001`` or
  ``auto``): ``lstm_core`` is shipped to the workers as a ``py_modules`` package; its
  dependencies (Keras, TensorFlow or JAX) must be installed on every node.

The local node's processes (the GCS, the raylet) are started by Ray with ``PR_SET_PDEATHSIG``:
Linux kills them when the *thread* that started them ends, not the process. A sweep's driver is
a job thread that ends with its sweep, so a node it started would die under the next sweep, and
Ray ends the whole process (the app's server) when its GCS is gone for 60 s. The node is
therefore started from one thread kept for the life of the process (``_NODE_THREAD``), and a
local node found dead is started again rather than reused.

The ``Progress`` actor carries everything from the trials to the driver: workers push their
epochs into it, the driver drains them into the run store, and sets its stop flag. One actor
serves every sweep of the process, each through its own ``Channel``.
"""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lstm_core import private_apis
from lstm_core.errors import ConfigError
from lstm_core.settings import Limits, load_limits
from lstm_core.sweeps.trial import THREAD_ENV

PACKAGE = Path(__file__).resolve().parents[1]  # the lstm_core folder
# Node start can be slow on a busy machine: wait longer than Ray's 30 s for the GCS, and try
# ray.init a second time when the raylet did not register in time.
GCS_WAIT_S = "120"
INIT_ATTEMPTS = 2
# The one thread that starts Ray's node (see the module's docstring): it lives as long as the
# process, waiting for the next call.
_NODE_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ray-node")
# The Progress actor of this process's connection to Ray, by job id; emptied on a new connection.
_ACTORS: dict[str, object] = {}
_ACTORS_LOCK = threading.Lock()


def local_cpus(limits: Limits | None = None) -> int:
    """CPUs of a local Ray instance: this machine's cores, at most ``max_concurrent_jobs``."""
    limits = limits or load_limits()
    return max(1, min(os.cpu_count() or 1, limits.max_concurrent_jobs))


def connect(address: str | None = None, num_cpus: int | None = None, limits: Limits | None = None):
    """Connect to Ray once per process: ``address`` (else ``$RAY_ADDRESS``), or a local
    instance of ``num_cpus`` CPUs (default: ``local_cpus(limits)``). Return the ``ray`` module.

    Raises:
        ConfigError: Ray is not installed, or the cluster cannot be reached.
    """
    try:
        import ray  # noqa: F401 - here, so that a missing Ray is said in this thread
    except ImportError:
        raise ConfigError(
            "Sweeps run on Ray, which is not installed; pip install 'ray>=2.40,<3'."
        ) from None
    return _NODE_THREAD.submit(_connect, address, num_cpus, limits).result()


def _connect(address: str | None, num_cpus: int | None, limits: Limits | None):
    """``connect``'s work, in ``_NODE_THREAD``."""
    import ray

    if ray.is_initialized():
        if not dead_node_processes():
            return ray
        ray.shutdown()  # a local node killed under us: start a new one, not wait for it
    address = address or os.environ.get("RAY_ADDRESS") or None
    os.environ.setdefault("RAY_gcs_server_port_wait_time_s", GCS_WAIT_S)
    if address:
        options = {"address": address, "runtime_env": {"py_modules": [str(PACKAGE)]}}
    else:
        options = {
            # "local": always a new instance of our own, never a cluster someone started on
            # this machine with `ray start` (which ray.init() would join, and die with).
            "address": "local",
            "num_cpus": num_cpus or local_cpus(limits),
            "include_dashboard": False,
            "runtime_env": {"env_vars": {"PYTHONPATH": _python_path()}},
        }
    with _ACTORS_LOCK:
        _ACTORS.clear()  # the actors of a node that is gone
    for attempt in range(INIT_ATTEMPTS):
        try:
            ray.init(log_to_driver=False, configure_logging=False, **options)
            return ray
        except ConnectionError as error:
            raise ConfigError(
                f"The Ray cluster at {address!r} cannot be reached ({error}); check the address "
                "(e.g. ray://head:10001) or leave it out to run on this machine."
            ) from None
        except Exception:  # noqa: BLE001 - a node that timed out starting: try once more
            ray.shutdown()
            if attempt == INIT_ATTEMPTS - 1:
                raise
    return ray


def dead_node_processes() -> list[str]:
    """The names of this process's local Ray node processes that died (e.g. ``"gcs_server"``);
    empty when connected to a cluster, or when not connected (``lstm_core.private_apis``: no
    public API of Ray tells)."""
    return private_apis.dead_ray_node_processes()


def cluster_cpus() -> int:
    """CPUs of the connected Ray cluster: how many trials run at once."""
    import ray

    return int(ray.cluster_resources().get("CPU", 1))


def remote_trial(ray, trial_fn):
    """``trial_fn`` as a Ray task: one CPU, one thread, no retries."""
    return ray.remote(num_cpus=1, max_retries=0, runtime_env={"env_vars": dict(THREAD_ENV)})(
        trial_fn
    )


class Channel:
    """One sweep's way into the process's ``Progress`` actor: ``push``, ``drain``, ``stop``,
    ``stopping`` and ``close`` are called as the actor's methods are (``channel.push.remote(key,
    epoch, record)``), each for this sweep only. Sent to the trials as a task argument."""

    def __init__(self, actor, name: str) -> None:
        self.actor, self.name = actor, name

    def __getattr__(self, method: str):
        if method not in ("push", "drain", "stop", "stopping", "close"):
            raise AttributeError(method)
        return _ChannelMethod(getattr(self.actor, method), self.name)


class _ChannelMethod:
    def __init__(self, method, name: str) -> None:
        self._method, self._name = method, name

    def remote(self, *args):
        return self._method.remote(self._name, *args)


def progress_channel(ray) -> Channel:
    """A new channel of this process's ``Progress`` actor, which is started on first use and
    kept: starting an actor starts a Python worker process, about a second of CPU that would
    otherwise be taken from the first trials of every sweep. An actor found dead is replaced.
    Close the channel (``close.remote()``) when the sweep ends."""
    name = uuid.uuid4().hex
    job = ray.get_runtime_context().get_job_id()
    with _ACTORS_LOCK:
        for attempt in range(2):
            if job not in _ACTORS:
                _ACTORS[job] = _progress_class(ray).remote()
            try:
                ray.get(_ACTORS[job].open.remote(name))
                return Channel(_ACTORS[job], name)
            except ray.exceptions.RayActorError:
                del _ACTORS[job]  # killed under us: start another
                if attempt:
                    raise


def _progress_class(ray):
    @ray.remote(num_cpus=0)  # no CPU of its own, so it never takes a trial's place
    class Progress:
        """Per open sweep (by channel name): the epochs pushed by its trials, drained by its
        driver, and its stop flag. A push to a closed channel (a trial outliving its sweep's
        driver) is dropped."""

        def __init__(self) -> None:
            self._events: dict[str, list[tuple[str, int, dict]]] = {}
            self._stopping: dict[str, bool] = {}

        def open(self, name: str) -> None:
            self._events[name], self._stopping[name] = [], False

        def push(self, name: str, key: str, epoch: int, record: dict) -> None:
            if name in self._events:
                self._events[name].append((key, epoch, record))

        def drain(self, name: str) -> list[tuple[str, int, dict]]:
            if name not in self._events:  # closed
                return []
            events, self._events[name] = self._events[name], []
            return events

        def stop(self, name: str) -> None:
            if name in self._stopping:
                self._stopping[name] = True

        def stopping(self, name: str) -> bool:
            return self._stopping.get(name, True)  # a closed sweep's trials stop

        def close(self, name: str) -> None:
            self._events.pop(name, None)
            self._stopping.pop(name, None)

    return Progress


def _python_path() -> str:
    """``PYTHONPATH`` for local workers: the folder holding ``lstm_core`` first."""
    parts = [str(PACKAGE.parent), os.environ.get("PYTHONPATH", "")]
    return os.pathsep.join(part for part in parts if part)
