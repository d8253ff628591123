"""Impact evaluation pipeline for refugee and migrant support partnerships.

The modules follow the data's way: ``ingest`` (read exports) -> ``validate``
(codebook schema, quarantine) -> ``deidentify`` (drop personal data, pseudonymise)
-> ``score`` (scales) -> ``stats`` (named statistics) -> ``indicators`` (tidy
indicator table, disclosure control) -> ``report`` (papermill notebooks to HTML).
"""

__version__ = "0.1.0"
