"""Text columns with few distinct values, kept dictionary-encoded (pandas categoricals).

An answer column of a large export holds a handful of distinct texts (``1`` to ``5``,
``88``) in every row. Read as text, each cell is a string of its own (at 100,000
respondents the item columns alone are a third of the frame in memory); read
dictionary-encoded, each cell is a small integer code into the column's distinct
values. The values are the same texts: a quarantine line shows a value as typed
either way.

Where they are used (see :func:`pipeline.workflow.read_instrument`):

* the CSV reader (:func:`read_table`) reads a column dictionary-encoded when a sample of
  the file's first rows shows it with few distinct values (:func:`low_variety`);
* column mapping (:func:`pipeline.ingest.dialects.resolve_columns`) turns every column
  but the items back into text (:func:`as_text`), so that de-identification, dates and
  the published tables see text as before;
* the files of an instrument are put together with their categories united
  (:func:`concat`), and validation converts an item's distinct values to numbers once
  (:func:`pipeline.ingest.validate._to_float`).

Whether a column is read dictionary-encoded changes how it is held, never a value: a
column with more distinct values than the sample showed is still read whole.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd

#: The first bytes of a file whose rows decide which columns are read dictionary-encoded.
SAMPLE_BYTES = 1 << 20
#: A column is read dictionary-encoded when the sample shows at most this many distinct
#: values, and at most one for every :data:`ROWS_PER_VALUE` rows of the sample (a small
#: file: at least :data:`MIN_LIMIT`).
MAX_DISTINCT = 1_000
ROWS_PER_VALUE = 20
MIN_LIMIT = 16


def _options(delimiter: str, column_types: dict | None = None):
    """pyarrow's CSV options that read every cell as text, an empty cell as missing
    (as ``pandas.read_csv(engine="pyarrow", dtype="string[pyarrow]", keep_default_na=False,
    na_values=[""])`` does)."""
    import pyarrow
    import pyarrow.csv as pcsv

    parse = pcsv.ParseOptions(delimiter=delimiter)
    convert = pcsv.ConvertOptions(column_types=column_types or {}, default_column_type=pyarrow.large_string(), null_values=[""], strings_can_be_null=True)
    return parse, convert


def low_variety(payload: bytes, delimiter: str) -> set[str]:
    """Columns whose values in the file's first :data:`SAMPLE_BYTES` (whole rows) are few:
    at most :data:`MAX_DISTINCT`, and at most one per :data:`ROWS_PER_VALUE` rows (at
    least :data:`MIN_LIMIT`). An empty set when the sample does not parse."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    cut = payload.rfind(b"\n", 0, SAMPLE_BYTES) + 1 if len(payload) > SAMPLE_BYTES else len(payload)
    parse, convert = _options(delimiter)
    try:
        sample = pcsv.read_csv(io.BytesIO(payload[:cut]), parse_options=parse, convert_options=convert)
    except Exception:  # the whole read will say what is wrong, or go to the careful reader
        return set()
    limit = max(MIN_LIMIT, min(MAX_DISTINCT, sample.num_rows // ROWS_PER_VALUE))
    return {name for name, column in zip(sample.column_names, sample.columns) if pc.count_distinct(column, mode="all").as_py() <= limit}


def read_table(payload: bytes, delimiter: str, categorical: bool = True) -> pd.DataFrame:
    """A well-formed UTF-8 CSV file as a frame of text: pyarrow's multithreaded reader.

    Every cell is text, an empty cell missing. With ``categorical``, the columns of
    :func:`low_variety` are pandas categoricals of their texts, the others pyarrow
    strings (``string[pyarrow]``) as ``pandas.read_csv(engine="pyarrow")`` gives them.
    Raises what pyarrow raises for a file it cannot read.
    """
    import pyarrow
    import pyarrow.csv as pcsv

    few = low_variety(payload, delimiter) if categorical else set()
    dictionary = pyarrow.dictionary(pyarrow.int32(), pyarrow.large_string())
    parse, convert = _options(delimiter, {name: dictionary for name in few})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pcsv.read_csv(io.BytesIO(payload), parse_options=parse, convert_options=convert)
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        columns[name] = _categorical(column) if pyarrow.types.is_dictionary(column.type) else pd.arrays.ArrowStringArray(column)
    return pd.DataFrame(columns, columns=table.column_names, copy=False)


def _categorical(column) -> pd.Categorical:
    """A chunked pyarrow dictionary array of text as a pandas categorical (missing: code -1;
    pyarrow unites the chunks' dictionaries)."""
    values = column.to_pandas().array
    if not isinstance(values, pd.Categorical):  # not expected from pyarrow; text stays text
        raise TypeError(f"pyarrow gave {type(values).__name__} for a dictionary column")
    return values


def is_categorical(values: pd.Series) -> bool:
    """Whether a column is a pandas categorical."""
    return isinstance(values.dtype, pd.CategoricalDtype)


def as_text(values: pd.Series) -> pd.Series:
    """A categorical column as pyarrow strings (``string``; missing stays missing); any
    other column as it is."""
    import pyarrow

    if not is_categorical(values):
        return values
    categories = pyarrow.array(values.cat.categories.astype("string").to_numpy(na_value=None), type=pyarrow.large_string())
    codes = values.cat.codes.to_numpy()
    text = categories.take(pyarrow.array(codes, mask=codes < 0))
    return pd.Series(pd.arrays.ArrowStringArray(pyarrow.chunked_array([text])), index=values.index, name=values.name)


def all_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every categorical column as text (:func:`as_text`); the frame itself when it has none."""
    names = [c for c in frame.columns if is_categorical(frame[c])]
    if not names:
        return frame
    return frame.assign(**{c: as_text(frame[c]) for c in names})


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)`` that keeps a column categorical when it is
    categorical in every frame (the categories united: plain ``pd.concat`` would make a
    column of Python objects of it when the files' categories differ); a column
    categorical in some frames only is text in all (:func:`as_text`)."""
    if len(frames) > 1:
        names = {c for f in frames for c in f.columns if is_categorical(f[c])}
        united = {}
        for c in names:
            parts = [f[c] for f in frames if c in f.columns]
            if all(is_categorical(p) for p in parts) and len(parts) == len(frames):
                categories = pd.Index(pd.unique(np.concatenate([p.cat.categories.to_numpy(dtype=object) for p in parts])), dtype="str")
                united[c] = pd.CategoricalDtype(categories)
        frames = [f.assign(**{c: f[c].astype(united[c]) if c in united else as_text(f[c]) for c in names if c in f.columns}) for f in frames]
    return pd.concat(frames, ignore_index=True)


def category_values(values: pd.Series, convert) -> np.ndarray:
    """``convert`` (a function of a Series of text to an array) applied to the categories
    a categorical column uses, then laid out by row (``np.nan`` where missing): a column
    of a handful of distinct answers converts a handful of texts, not every row.

    Categories no row uses (left by a cell set missing, such as KoboCAT's ``n/a``) are not
    converted, so ``convert`` sees exactly the column's distinct values, as it would
    have seen them in a text column.
    """
    codes = values.cat.codes.to_numpy()
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values.cat.categories)))
    converted = np.full(len(values.cat.categories) + 1, np.nan)  # the last: code -1, missing
    if len(used):
        converted[used] = np.asarray(convert(pd.Series(values.cat.categories[used], dtype="string")), dtype="float64")
    return converted[codes]
