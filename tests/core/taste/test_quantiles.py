"""Percentiles read off sorted values equal numpy.percentile's."""

from __future__ import annotations

import numpy as np
import pytest

from genrelens.core.taste.quantiles import PERCENTILES, sorted_percentiles, union_percentiles
from tests.core.taste.test_documents import assert_numpys

rng = np.random.default_rng(21)


@pytest.mark.parametrize("values", [
    np.array([3.5]),
    np.array([1.0, 2.0]),
    rng.normal(size=7),
    np.round(rng.normal(size=1000), 1),  # many ties
    np.where(rng.random(5000) < 0.5, 0.0, rng.random(5000)),  # half exactly zero
    rng.gamma(2.0, 3.0, 100_003),
], ids=["one", "two", "seven", "ties", "piled at 0", "large"])
def test_sorted_percentiles_are_numpys(values):
    assert_numpys(sorted_percentiles(np.sort(values)), np.percentile(values, PERCENTILES))


def test_union_percentiles_are_those_of_all_values_together():
    segments = [np.sort(rng.normal(shift, 1, n)) for shift, n in ((0, 500), (3, 20), (-1, 0), (1, 1))]
    assert_numpys(union_percentiles(segments), np.percentile(np.concatenate(segments), PERCENTILES))
