"""The report's sections by subject, each a function of the run's context returning a
:class:`Section` (Markdown, HTML or figures); the notebooks call them in order.

======================  ===========================================================
module                  sections
======================  ===========================================================
``summary``             title, results at a glance, executive summary
``results``             the results framework against targets, with the reasons
``attitudes``           attitude change, the comparison group, tests, yes/no items
``organisations``       trainings (and training events), capacity, networks, activities
``quality``             data quality, reliability and attrition, code matching (annex)
``privacy``             what was removed and hidden (annex)
``voices``              voices (stories and quotes); activities against the plan
``partner``             a partner report's opening: that partner first
``methods``             methods and limitations, provenance, methods appendix (annex)
======================  ===========================================================

Sections format the tables the analyse stage wrote to the build folder; they import
no statistics library (``tests/test_report_boundary.py``).
"""

from pipeline.report.sections.attitudes import attitude_change, change_by_partner, comparison_group
from pipeline.report.sections.base import Section, safe_name, show
from pipeline.report.sections.methods import methods, methods_appendix, provenance
from pipeline.report.sections.organisations import activities, capacity, networks, training_event, training_title, trainings
from pipeline.report.sections.partner import partner_overview
from pipeline.report.sections.privacy import privacy_section
from pipeline.report.sections.quality import code_matching, data_quality, measurement_quality
from pipeline.report.sections.results import results_framework
from pipeline.report.sections.summary import annex, at_a_glance, executive_summary, glossary, not_covered, title
from pipeline.report.sections.tests import tests_and_individual_change, yes_no_items
from pipeline.report.sections.voices import activities_against_plan, voices

__all__ = [
    "Section",
    "activities",
    "activities_against_plan",
    "annex",
    "at_a_glance",
    "attitude_change",
    "capacity",
    "change_by_partner",
    "code_matching",
    "comparison_group",
    "data_quality",
    "executive_summary",
    "glossary",
    "measurement_quality",
    "methods",
    "methods_appendix",
    "networks",
    "not_covered",
    "partner_overview",
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
    "voices",
    "yes_no_items",
]
