"""The report's one formatter (pipeline.report.format): words a reader sees."""

from __future__ import annotations

import pytest

from pipeline.report import format as fmt


@pytest.mark.parametrize(
    ("n", "code", "expected"),
    [
        (1, "activities", "activity"),
        (1, "people", "person"),
        (1, "organisations", "organisation"),
        (1, "ties", "tie"),
        (1, "entries", "entry"),
        (1, "activity_attendances", "activity attendance"),
        (1.0, "respondents", "respondent"),
        (2, "ties", "ties"),
        (5, "organisations", "organisations"),
        (0, "people", "people"),
        (None, "people", "people"),
    ],
)
def test_a_count_of_one_takes_the_singular(n, code, expected):
    """ "1 (n = 1 activities)" read wrong in the partner reports: one of anything is singular."""
    assert fmt.unit(n, code) == expected
