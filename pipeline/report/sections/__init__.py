"""The report's sections, each a function of the run's context returning a
:class:`Section` (Markdown or HTML); the notebooks call them in order."""

from pipeline.report.sections.common import (
    Section,
    activities,
    attitude_change,
    capacity,
    data_quality,
    executive_summary,
    methods,
    networks,
    provenance,
    results_framework,
    safe_name,
    show,
    title,
    training_event,
    training_title,
    trainings,
)
from pipeline.report.sections.privacy import privacy_section
from pipeline.report.sections.statistics import (
    code_matching,
    comparison_group,
    measurement_quality,
    methods_appendix,
    tests_and_individual_change,
    yes_no_items,
)

__all__ = [
    "Section",
    "activities",
    "attitude_change",
    "capacity",
    "code_matching",
    "comparison_group",
    "data_quality",
    "executive_summary",
    "measurement_quality",
    "methods",
    "methods_appendix",
    "networks",
    "privacy_section",
    "provenance",
    "results_framework",
    "safe_name",
    "show",
    "tests_and_individual_change",
    "title",
    "training_event",
    "training_title",
    "trainings",
    "yes_no_items",
]
