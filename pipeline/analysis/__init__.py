"""Every number that is published: the indicator table, the results framework and its
aggregations and statuses, organisational capacity, networks, measurement quality
(reliability, attrition) and disclosure control. Reads scored rows from
:mod:`pipeline.ingest`; statistics come from :mod:`pipeline.stats`.
"""

from pipeline._exports import lazy

_EXPORTS = {
    "instrument_indicators": "indicators",
    "load_framework": "framework",
    "run_framework": "framework",
    "combine": "framework",
    "reliability": "quality",
    "attrition_table": "quality",
    "suppress": "disclosure",
    "check_published": "disclosure",
    "DisclosureError": "disclosure",
    "change_table": "explore",
    "compare_change": "explore",
    "publish_table": "explore",
    "compare_runs": "explore",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy(__name__, _EXPORTS)
