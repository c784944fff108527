import pytest

from lstm_core.budget import MemoryEstimate, check_memory, estimate_memory
from lstm_core.errors import ConfigError
from lstm_core.model import LayerSpec, ModelSpec, count_params
from lstm_core.settings import Limits

MB = 1024**2


def test_estimate_by_hand():
    spec = ModelSpec((LayerSpec("lstm", 8),), outputs=1)
    params = count_params(spec, 10, 2)
    assert params == 4 * (8 * (2 + 8) + 8) + (8 + 1)  # LSTM + Dense(1)
    estimate = estimate_memory(spec, timesteps=10, features=2, batch_size=4, samples=100)
    assert estimate.weights_mb == pytest.approx(4 * params * 4 / MB)
    assert estimate.activations_mb == pytest.approx(4 * 10 * 6 * 8 * 4 / MB)
    assert estimate.data_mb == pytest.approx(2 * 100 * 10 * 2 * 4 / MB)
    assert estimate.total_mb == pytest.approx(
        estimate.weights_mb + estimate.activations_mb + estimate.data_mb
    )


def test_estimate_grows_with_batch_and_timesteps():
    spec = ModelSpec((LayerSpec("gru", 16, return_sequences=True), LayerSpec("rnn", 16)))
    small = estimate_memory(spec, 50, 1, 32, 1000)
    assert estimate_memory(spec, 50, 1, 64, 1000).activations_mb == pytest.approx(
        2 * small.activations_mb
    )
    assert estimate_memory(spec, 100, 1, 32, 1000).activations_mb == pytest.approx(
        2 * small.activations_mb
    )


def test_fitting_job_passes_through():
    estimate = MemoryEstimate(weights_mb=1, activations_mb=2, data_mb=3)
    assert check_memory(estimate, Limits(memory_budget_mb=6)) is estimate


@pytest.mark.parametrize(
    ("estimate", "fix"),
    [
        (MemoryEstimate(1, 900, 10), "activations\\); lower the batch size"),
        (MemoryEstimate(900, 1, 10), "weights\\); lower the units"),
        (MemoryEstimate(1, 10, 900), "data\\); lower the lookback"),
    ],
)
def test_over_budget_names_the_setting_to_lower(estimate, fix):
    with pytest.raises(
        ConfigError, match=f"needs about 911 MB, more than the 500 MB budget.*{fix}"
    ):
        check_memory(estimate, Limits(memory_budget_mb=500))
