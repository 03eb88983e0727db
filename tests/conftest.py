"""Shared test setup: a reproducible Hypothesis profile and the registered env ids."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import toolgym

# CI is reproducible: the same examples every run, nothing read from or written to a database.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ENV_IDS = toolgym.env_ids()


@pytest.fixture(params=ENV_IDS)
def env_id(request: pytest.FixtureRequest) -> str:
    return request.param
