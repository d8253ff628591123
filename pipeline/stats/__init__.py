"""Named statistics for pre/post evaluations, each with its formula and source.

Every function takes plain arrays (lists, NumPy arrays or pandas Series) and returns a
frozen result dataclass with a ``to_dict()`` method. A result that can be undefined
carries ``reason``: ``None`` when every statistic was computed, otherwise a short plain
sentence ("fewer than 2 pairs", "differences have zero variance") and the statistics that
could not be computed are ``nan`` -- never a silent 0, never an exception for a property
of the data. Wrong arguments (different lengths, unknown method names, text where numbers
belong) raise ``ValueError`` or ``TypeError``.

Conventions
-----------
* Change is always ``post - pre``: a positive change is an increase.
* Pairs with a missing value on either side are dropped (and counted where the result has
  ``n_dropped``).
* R is the reference implementation; the R call each function reproduces is named in its
  docstring and the tests check against R's documented output.

The registry :data:`METHODS` describes each public statistic (name, formula, full
reference, how ties, zeros and missing values are handled) for a report's methods
appendix; :func:`methods_table` returns it as a table.
"""

from __future__ import annotations

# The families are imported in the order the methods appendix lists them (METHODS keeps
# registration order), so the import order is not alphabetical.
# ruff: noqa: I001
from pipeline.stats._base import DEFAULT_SEED, METHODS, methods_table
from pipeline.stats.paired import PairedChange, SignedRank, paired_change, signed_rank
from pipeline.stats.proportions import MCNEMAR_EXACT_BELOW, McNemar, PairedProportions, ProportionCI, mcnemar, mcnemar_table, paired_proportions, proportion_ci
from pipeline.stats.reliability import Alpha, Omega, ReliableChange, cronbach_alpha, omega, reliable_change
from pipeline.stats.comparison import ATTRITION_SMD_FLAG, Attrition, DiffInDiff, RetentionWeighted, attrition, diff_in_diff, retention_weighted_change
from pipeline.stats.multiple import FAMILY_DEFINITION, AdjustedP, adjust_p
from pipeline.stats.bootstrap import BootstrapCI, bootstrap_ci
from pipeline.stats.meta import RandomEffects, random_effects

__all__ = [
    "METHODS",
    "DEFAULT_SEED",
    "methods_table",
    "PairedChange",
    "paired_change",
    "SignedRank",
    "signed_rank",
    "McNemar",
    "mcnemar",
    "mcnemar_table",
    "MCNEMAR_EXACT_BELOW",
    "PairedProportions",
    "paired_proportions",
    "ProportionCI",
    "proportion_ci",
    "ReliableChange",
    "reliable_change",
    "Alpha",
    "cronbach_alpha",
    "Omega",
    "omega",
    "DiffInDiff",
    "diff_in_diff",
    "Attrition",
    "attrition",
    "ATTRITION_SMD_FLAG",
    "RetentionWeighted",
    "retention_weighted_change",
    "AdjustedP",
    "FAMILY_DEFINITION",
    "adjust_p",
    "BootstrapCI",
    "bootstrap_ci",
    "RandomEffects",
    "random_effects",
]
