"""The test run's shape: the quick suite by default, everything with ``--all``; one Ray node.

``pytest`` alone runs the quick suite, the one to run before every commit (a few minutes on 2
cores): it leaves out the tests marked ``slow`` (they train models for real, drive a sweep or
start processes of their own) and ``browser`` (a real Chromium on a served app). ``pytest --all``
runs everything, as CI does. A ``-m`` expression, when given, chooses instead of either.

Every test has a timeout (``timeout`` in ``pyproject.toml``; a test that needs longer says so
with ``@pytest.mark.timeout(seconds)``), so that a hang fails one test instead of the run.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

LEFT_OUT_OF_QUICK = ("slow", "browser")


def pytest_addoption(parser):
    parser.addoption(
        "--all",
        action="store_true",
        help="run every test, the slow ones and the browser flows too (default: the quick suite)",
    )


@pytest.hookimpl(trylast=True)  # after tests/ui/conftest.py has marked its tests slow
def pytest_collection_modifyitems(config, items):
    if config.getoption("--all") or config.getoption("markexpr"):
        return
    quick, left_out = [], []
    for item in items:
        slow = any(item.get_closest_marker(name) for name in LEFT_OUT_OF_QUICK)
        (left_out if slow else quick).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = quick


def pytest_report_header(config):
    if config.getoption("--all") or config.getoption("markexpr"):
        return None
    return "the quick suite: slow and browser tests left out (pytest --all runs everything)"


# Ray ends a process whose GCS has been gone this long (its default is 60 s); shorter, so that
# the test of a killed node can wait past it.
GCS_TIMEOUT_S = 20
GCS_TIMEOUT_VARIABLE = "RAY_gcs_rpc_server_reconnect_timeout_s"  # Ray's own name for it


@pytest.fixture(scope="session")
def ray_node(tmp_path_factory):
    """One local Ray node of 2 CPUs for the whole test run; its start costs seconds.

    Started from a thread that ends at once, as a sweep's driver thread does (the node must
    outlive it), with the environment its workers inherit: ``SWEEP_TRIAL_LOG``, read by
    ``tests.sweep_trials.timed_trial``. A test that kills the node leaves the next
    ``ray_backend.connect`` to start a new one. Tests and the code they run call
    ``connect()`` as usual and find this node; none shuts it down.
    """
    from lstm_core.sweeps import ray_backend

    os.environ["SWEEP_TRIAL_LOG"] = str(tmp_path_factory.mktemp("trials") / "log")
    os.environ[GCS_TIMEOUT_VARIABLE] = str(GCS_TIMEOUT_S)
    thread = threading.Thread(target=ray_backend.connect, kwargs={"num_cpus": 2})
    thread.start()
    thread.join()
    time.sleep(1)  # the kernel's kill of a thread's children (PR_SET_PDEATHSIG) is at once
    dead = ray_backend.dead_node_processes()
    if dead:  # the next sweep would wait for the GCS, then Ray would end pytest
        pytest.fail(f"Ray's node died with the thread that started it: {dead}")
    import ray

    yield ray
    ray.shutdown()
