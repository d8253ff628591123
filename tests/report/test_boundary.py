"""The report layer formats what the analyse stage wrote: a report kernel loads no statistics
library (issue 12), and the formatter has one rule per kind of number."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.report import format as fmt

HEAVY = ("scipy", "statsmodels", "pandera", "pingouin")


def test_report_sections_load_no_statistics_library():
    code = f"import sys, pipeline.report.sections, pipeline.report.context; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"a report kernel loaded {out.stdout.strip()}"


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (-0.004, {}, "0.00"),  # never "-0.00"
        (-0.004, {"signed": True}, "+0.00"),
        (0.5634, {"signed": True}, "+0.56"),
        (-1.25, {"digits": 1}, "-1.2"),  # Python rounds half to even; the rule is Python's
        (float("nan"), {}, "–"),
        (None, {}, "–"),
    ],
)
def test_num(value, kwargs, expected):
    assert fmt.num(value, **kwargs) == expected


def test_p_values_counts_values_and_intervals():
    assert fmt.p_value(0.0004) == "< 0.001" and fmt.p_value(0.01234) == "0.012" and fmt.p_value(float("nan")) == "–"
    assert fmt.count(1513.0) == "1,513" and fmt.count(7) == "7"
    assert fmt.value(1513.0, "people") == "1,513" and fmt.value(1.0, "density (0-1)") == "1.00" and fmt.value(0.4678, "levels") == "0.47"
    assert fmt.interval(-0.001, 0.2) == "[0.00, 0.20]" and fmt.interval(None, 1) == "–"
    assert fmt.with_interval(0.5, 0.4, 0.6, signed=True) == "+0.50 [0.40, 0.60]"
    assert fmt.pct(0.256) == "26%"
    assert fmt.words("public_authority") == "public authority"


def test_code_version_is_looked_up_once():
    fmt.code_version.cache_clear()
    first = fmt.code_version()
    assert fmt.code_version.cache_info().misses == 1
    assert fmt.code_version() is first and fmt.code_version.cache_info().hits == 1
