"""Impact evaluation pipeline for refugee and migrant support partnerships.

The package follows the data's way, one layer per subpackage, each importing only the
layers before it: ``instruments`` (codebooks, registry, data folders) -> ``ingest``
(read exports, de-identify, validate, match waves, score) -> ``stats`` (named
statistics) -> ``analysis`` (every published table, disclosure control) -> ``report``
(notebooks to HTML and PDF, reading only the build folder). ``schema`` defines the
columns, reasons and file names they share; ``workflow`` wires the stages and ``cli``
is the ``impact`` command. ``docs/`` in the repository describes each part.
"""

__version__ = "0.1.0"
