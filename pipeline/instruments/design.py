"""The study design a data folder declares, as data.

A manifest (``datasets.yaml``) may say how the study was designed::

    study_design:
      design: randomised          # pre_post | comparison_group | randomised
      unit: person                # what was assigned (randomised designs): person, class, site...

``pre_post``: the same people before and after, no comparison group.
``comparison_group``: a comparison group that was not chosen at random (people who chose
not to take part); ``randomised``: assignment by chance, of the ``unit`` named.
The report's narrative follows it: a randomised study is not described as "people who
chose to take part". Without the key the design is inferred: a survey with a comparison
field is ``comparison_group``, otherwise ``pre_post``.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import CodebookError

DESIGNS = {
    "pre_post": "the same people before and after, without a comparison group",
    "comparison_group": "participants and a comparison group that was not chosen at random",
    "randomised": "assignment to the activity or to a control condition by chance",
}


def read_design(doc: dict, manifest: str | Path) -> dict | None:
    """The checked ``study_design`` of a parsed manifest, or None when it declares none."""
    spec = doc.get("study_design") if isinstance(doc, dict) else None
    if spec is None:
        return None
    if not isinstance(spec, dict) or "design" not in spec:
        raise CodebookError(manifest, "study_design", f"expected a mapping with 'design' (one of {list(DESIGNS)}) and, for a randomised study, 'unit'")
    unknown = sorted(set(spec) - {"design", "unit"})
    if unknown:
        raise CodebookError(manifest, "study_design", f"unknown key(s) {unknown}; keys: design, unit")
    design = str(spec["design"])
    if design not in DESIGNS:
        raise CodebookError(manifest, "study_design.design", f"expected one of {list(DESIGNS)}, got {design!r}")
    unit = spec.get("unit")
    if design == "randomised" and not unit:
        raise CodebookError(manifest, "study_design.unit", "a randomised study names the unit that was assigned (person, class, site...)")
    return {"design": design, "unit": str(unit) if unit else ""}
