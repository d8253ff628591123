"""Instruments and the consortium as data: codebooks (YAML), the consortium registry and
data folders, and XLSForms (KoboToolbox/ODK) to and from codebooks. The ground floor:
it imports no other layer."""

from pipeline._exports import lazy

_EXPORTS = {
    "Codebook": "codebook",
    "Scale": "codebook",
    "Item": "codebook",
    "load_codebook": "codebook",
    "parse_codebook": "codebook",
    "Consortium": "registry",
    "DataFolder": "registry",
    "load_consortium": "registry",
    "load_data_folder": "registry",
    "import_form": "xlsform",
    "write_form": "form_writer",
    "write_codebook": "xlsform",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy(__name__, _EXPORTS)
