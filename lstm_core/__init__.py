"""LSTM Lab's engine: data windowing, recurrent models, training, inspection and experiments.

This package never imports Streamlit, and importing it does not import TensorFlow: modules that
need TensorFlow import it inside the functions that use it, so pages that only read data or
describe a model open instantly.

Before anything imports TensorFlow we set two defaults, without overriding what the user set:
Keras 3 runs on the TensorFlow backend, and TensorFlow's C++ start-up logs stay quiet.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from lstm_core.errors import ConfigError, DataError, LabError, SpecError, StoreError  # noqa: E402

__version__ = "0.1.0"

__all__ = ["ConfigError", "DataError", "LabError", "SpecError", "StoreError", "__version__"]
