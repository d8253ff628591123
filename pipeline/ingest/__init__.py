"""Exports -> de-identified, validated, scored rows.

``read`` (CSV/XLSX as text, bad rows) -> ``dialects`` (KoboToolbox, ODK Central,
LimeSurvey, Google Forms columns) -> ``wide`` (one row per person to one per wave)
-> ``deidentify`` (drop personal fields, pseudonymise) -> ``validate`` (the codebook's
rules; quarantine with reasons) -> ``codes``/``pairing`` (waves matched by
self-generated codes) -> ``score`` (scale scores). Imports only
:mod:`pipeline.instruments` and :mod:`pipeline.schema`.
"""

from pipeline._exports import lazy

_EXPORTS = {
    "RawExport": "read",
    "read_export": "read",
    "map_columns": "read",
    "detect": "dialects",
    "wide_to_long": "wide",
    "deidentify": "deidentify",
    "pseudonymise": "deidentify",
    "load_key": "deidentify",
    "Validated": "validate",
    "validate": "validate",
    "match_codes": "codes",
    "pair_by_code": "pairing",
    "code_matching_table": "pairing",
    "score": "score",
    "item_values": "score",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy(__name__, _EXPORTS)
