"""De-identification: personal data never passes ingestion.

* Fields whose role is ``personal`` (names, phone numbers, free text that may hold
  contact details) or ``ignore`` (survey-tool metadata) are dropped.
* Free-text answers that are kept (role ``free_text``) are scanned: e-mail
  addresses and phone numbers in them are replaced by ``[e-mail removed]`` and
  ``[phone removed]`` (:func:`redact`). In the qualitative evidence log (design
  ``voices``), whose consented texts are quoted in the report, the names and places
  a person mentions are replaced by ``[name removed]`` too (:func:`redact_names`).
* Exact birth dates (role ``birth_date``) become the age group of the grouping
  field the codebook names, at the date of the submission, and are dropped
  (:func:`age_groups`).
* Respondent identifiers and submission ids (KoboToolbox ``_uuid``, ODK
  ``instanceID``/``KEY``) are replaced by a keyed pseudonym,
  ``HMAC-SHA256(key, identifier)``, truncated to 16 hex digits (64 bits). The same
  key gives the same pseudonyms on every run, so waves still match; without the
  key, the pseudonym cannot be turned back into the identifier by trying
  candidate identifiers (unlike a plain hash).

The key comes from the environment variable ``IMPACT_PSEUDONYM_KEY`` or, when it
is unset, from the git-ignored file ``.impact_key`` in the project root, created
with permissions 600 on first use (and announced: every machine of a project must use
the same key). A key shorter than 32 bytes, or a key file other users can read, is
refused. A build folder records the key's fingerprint (:func:`key_fingerprint`), and a
later run with another key refuses to write into it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config import KEY_ENV, KEY_FILE
from pipeline.errors import PipelineError
from pipeline.instruments.codebook import DROPPED_ROLES, Codebook

PSEUDONYM_HEX_DIGITS = 16


#: The shortest key accepted (bytes): HMAC-SHA256 is as strong as its key up to 32 bytes.
MIN_KEY_BYTES = 32
#: What a key's fingerprint is the HMAC of: it tells two keys apart, and gives nothing of the key.
FINGERPRINT_MESSAGE = b"impact-evaluation pipeline: pseudonymisation key fingerprint v1"


def load_key(key_file: Path = KEY_FILE) -> bytes:
    """The pseudonymisation key: the environment variable, else the key file (created if absent).

    Raises
    ------
    PipelineError
        The key is shorter than :data:`MIN_KEY_BYTES`, or the key file is empty,
        unreadable, or readable by other users than its owner.
    """
    env = os.environ.get(KEY_ENV)
    if env:
        return _checked(env.encode("utf-8"), f"the key in the environment variable {KEY_ENV}")
    if key_file.exists() or key_file.is_symlink():
        return _read_key_file(key_file)
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run created it a moment ago: use that one
        return _read_key_file(key_file)
    except OSError as exc:
        raise PipelineError(f"cannot create the pseudonymisation key file {key_file} ({exc.strerror}); set {KEY_ENV} to the project's key instead") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    _announce_new_key(key_file)
    return key.encode("utf-8")


def _read_key_file(key_file: Path) -> bytes:
    try:
        mode = key_file.stat().st_mode
        if os.name == "posix" and mode & 0o077:
            raise PipelineError(
                f"the pseudonymisation key file {key_file} can be read by other users (permissions {stat.filemode(mode)}): "
                f"whoever has the key can test guessed identifiers against the pseudonyms. Make it private (chmod 600 {key_file}) and run again"
            )
        key = key_file.read_text(encoding="utf-8").strip()
    except PipelineError:
        raise
    except OSError as exc:
        raise PipelineError(f"cannot read the pseudonymisation key file {key_file} ({exc.strerror or type(exc).__name__}); give your user read permission, or set {KEY_ENV}") from None
    except UnicodeDecodeError:
        raise PipelineError(f"the pseudonymisation key file {key_file} is not text; it should hold the key (64 hexadecimal digits) on one line") from None
    if not key:
        raise PipelineError(f"the pseudonymisation key file {key_file} is empty; delete it to create a new key, or set {KEY_ENV}")
    return _checked(key.encode("utf-8"), f"the key in {key_file}")


def _checked(key: bytes, where: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise PipelineError(
            f"{where} has {len(key)} bytes; a pseudonymisation key needs at least {MIN_KEY_BYTES} (a short key can be found by trying keys). "
            f"Use the project's key, or make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return key


def _announce_new_key(key_file: Path) -> None:
    """The first run on a machine made a key: say so where it cannot be missed."""
    rule = "=" * 78
    print(
        f"{rule}\nA NEW PSEUDONYMISATION KEY was created: {key_file} (readable by you only).\n"
        "Every respondent id of this run was replaced by a pseudonym made with it.\n"
        "- KEEP IT: without it, later waves cannot be linked to these respondents.\n"
        "- SHARE IT SECURELY with everyone who ingests data of this project (never by e-mail,\n"
        f"  never in the repository): the same key in their .impact_key or in {KEY_ENV},\n"
        "  or their pseudonyms will not match yours.\n"
        f"{rule}",
        file=sys.stderr,
    )


def key_fingerprint(key: bytes) -> str:
    """16 hex digits that tell two keys apart (HMAC-SHA256 of a fixed text under the key):
    a build folder records it, never the key."""
    return hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def keyed_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` (UTF-8) under ``key``, as 64 hex digits (RFC 2104, FIPS 198-1)."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _hmac_states(key: bytes):
    """SHA-256 states after HMAC's inner and outer key blocks (RFC 2104: K xor ipad, K xor opad).

    Copying them and hashing one message each is HMAC-SHA256 without re-deriving the
    padded key per value, and without the Python-level wrapper of :mod:`hmac`.
    """
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


#: Identifiers hashed per block in :func:`pseudonymise`.
_HASH_BLOCK = 8192


@dataclass
class Known:
    """Identifiers hashed before under one key (as hashed: stripped, upper-cased) and the
    first bytes of their digests, so that a later file's identifiers that an earlier
    file had (a respondent answers every wave) are not hashed again. It lives in memory
    while one instrument's files are read (:func:`pipeline.workflow.read_instrument`),
    never longer; the raw identifiers are in memory then anyway."""

    texts: object = None  # a pyarrow string array
    digests: np.ndarray = field(default_factory=lambda: np.empty((0, PSEUDONYM_HEX_DIGITS // 2), dtype=np.uint8))


def pseudonymise(values: pd.Series, key: bytes, known: Known | None = None) -> pd.Series:
    """Replace identifiers by keyed pseudonyms.

    pseudonym = first 16 hex digits of HMAC-SHA256(key, identifier), the identifier
    stripped of surrounding white space and upper-cased, so that ``gr-the-0042 ``
    and ``GR-THE-0042`` are the same person. Missing identifiers stay missing.
    Each distinct identifier is hashed once (the same as :func:`keyed_hash`, which the
    tests compare it with), and not at all when ``known`` (made with the same key) has
    it, which is then given the ones hashed here; the hex digits are laid out in one
    pyarrow buffer.
    """
    import pyarrow
    import pyarrow.compute as pc

    if not key:
        raise ValueError("the pseudonymisation key is empty")

    codes, uniques = _distinct_identifiers(values)
    n = len(uniques)
    digests = _digests(uniques, key, known).tobytes()
    blank = np.append(pc.binary_length(uniques).to_numpy(zero_copy_only=False) == 0, True)  # code -1: a missing value
    offsets = np.arange(0, PSEUDONYM_HEX_DIGITS * n + 1, PSEUDONYM_HEX_DIGITS, dtype=np.int32)
    hashed = pyarrow.StringArray.from_buffers(n, pyarrow.py_buffer(offsets), pyarrow.py_buffer(digests.hex().encode("ascii")))
    del digests
    # an empty identifier is a missing one; so is a missing value (code -1)
    index = np.where((codes >= 0) & ~blank[codes], codes, -1)
    out = hashed.take(pyarrow.array(index, mask=index < 0))
    return pd.Series(pd.array(out, dtype="string"), index=values.index)


def _digests(texts, key: bytes, known: Known | None) -> np.ndarray:
    """The first :data:`PSEUDONYM_HEX_DIGITS` / 2 bytes of each text's HMAC-SHA256 under
    ``key``, one row per text: taken from ``known`` where it has the text, hashed
    (:func:`_hmac_digests`) and added to ``known`` where not."""
    import pyarrow
    import pyarrow.compute as pc

    half = PSEUDONYM_HEX_DIGITS // 2
    if known is None:
        return _hmac_digests(texts, key)[:, :half]
    if known.texts is None or not len(known.texts):
        at = np.full(len(texts), -1)
    else:
        at = pc.index_in(texts, value_set=known.texts).fill_null(-1).to_numpy(zero_copy_only=False)
    new = at < 0
    fresh = texts.filter(pyarrow.array(new))
    out = np.empty((len(texts), half), dtype=np.uint8)
    out[~new] = known.digests[at[~new]]
    out[new] = made = _hmac_digests(fresh, key)[:, :half]
    known.texts = fresh if known.texts is None else pyarrow.concat_arrays([known.texts, fresh])
    known.digests = np.concatenate([known.digests, made])
    return out


def _hmac_digests(texts, key: bytes) -> np.ndarray:
    """HMAC-SHA256 under ``key`` of each text of a pyarrow string array (UTF-8), one row
    of 32 bytes per text (what :func:`keyed_hash` gives, as bytes).

    The SHA-256 states after HMAC's key blocks are copied per text (:func:`_hmac_states`);
    the texts come as bytes (no encoding per text), a block of :data:`_HASH_BLOCK` at a
    time, so that the Python objects of a few thousand texts live at once, not of every one
    (their small objects would keep the memory they took).
    """
    import pyarrow

    inner, outer = _hmac_states(key)
    copy_inner, copy_outer = inner.copy, outer.copy
    out = np.empty((len(texts), 32), dtype=np.uint8)
    data = texts.cast(pyarrow.large_binary())
    for start in range(0, len(texts), _HASH_BLOCK):
        block = []
        for text in data.slice(start, _HASH_BLOCK).to_pylist():
            h = copy_inner()
            h.update(text)
            o = copy_outer()
            o.update(h.digest())
            block.append(o.digest())
        out[start : start + len(block)] = np.frombuffer(b"".join(block), dtype=np.uint8).reshape(-1, 32)
    return out


def _distinct_identifiers(values: pd.Series):
    """Identifiers as :func:`pseudonymise` hashes them (stripped of surrounding white space,
    upper-cased), as (integer code per row, -1 where missing; the distinct identifiers, a
    pyarrow string array in order of first appearance).

    pyarrow's dictionary encoding gives the codes; ``pd.factorize`` of pyarrow strings
    took three times as long (0.15 s for 120,000 submission ids).
    """
    import pyarrow
    import pyarrow.compute as pc

    text = values.astype("string").str.strip().str.upper()
    whole = pyarrow.chunked_array(text.array.__arrow_array__()).combine_chunks()
    encoded = pc.dictionary_encode(whole)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return codes, encoded.dictionary


#: An e-mail address (RFC 5322's common form: local part, @, a dotted domain).
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: A phone number: 7 to 15 digits (ITU-T E.164 allows at most 15), optionally led by
#: ``+`` or ``00``, grouped by spaces, dots, dashes, slashes or parentheses. ``\d``
#: matches any script's digits (Arabic-Indic ``٠``-``٩``, Persian ``۰``-``۹`` too).
PHONE = re.compile(r"(?<![\w@])(?:\+|00)?\(?\d[\d\s().\-/]{5,22}\d(?![\w@])")
#: Dates are not phone numbers: 2025-03-01, 01/03/2025, 1.3.2025.
DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
EMAIL_MARK = "[e-mail removed]"
PHONE_MARK = "[phone removed]"


#: Text that holds digit runs but is no phone number, kept whole: UUIDs
#: (``3f15cdfe-3eab-4321-8765-7806febf158d``), dates with a time
#: (``22/01/2026 21:29:50``, ``2023-11-13 16:20:37``), decimal numbers (``12.3456789``).
NOT_A_PHONE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"|(?<![\d.,])-?(?:0|[1-9]\d*)\.\d+(?![\d.,])"  # a decimal (a leading 0 before more digits is a phone's)
)


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text) - (2 if text.lstrip("(").startswith("00") else 0)
    if not 7 <= digits <= 15 or DATE_LIKE.fullmatch(text.strip()):
        return text
    return PHONE_MARK


def _redact_phones(text: str) -> str:
    """Phone numbers removed outside the spans :data:`NOT_A_PHONE` keeps."""
    kept = [m.span() for m in NOT_A_PHONE.finditer(text)]
    if not kept:
        return PHONE.sub(_phone, text)
    out, pos = [], 0
    for start, end in kept:
        out.append(PHONE.sub(_phone, text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(PHONE.sub(_phone, text[pos:]))
    return "".join(out)


def redact(text: str) -> tuple[str, int]:
    """Remove e-mail addresses and phone numbers from a free-text answer.

    Parameters
    ----------
    text : str

    Returns
    -------
    (str, int)
        The text with each e-mail address replaced by ``[e-mail removed]`` and each
        run of 7 to 15 digits (with the separators people type: spaces, dots,
        dashes, slashes, parentheses, a leading ``+`` or ``00``) by ``[phone removed]``;
        and how many were replaced. Dates (``2025-03-01``, ``01/03/2025``) are kept.
        It errs on the side of removing: a long reference number goes too.

    Examples
    --------
    >>> redact("write to ana.silva@example.org or call +351 912 345 678")
    ('write to [e-mail removed] or call [phone removed]', 2)
    """
    out, n_mail = EMAIL.subn(EMAIL_MARK, text)
    n_before = out.count(PHONE_MARK)
    out = _redact_phones(out)
    return out, n_mail + out.count(PHONE_MARK) - n_before


NAME_MARK = "[name removed]"
#: Words that may open a sentence with a capital and are no name: pronouns, articles,
#: conjunctions, prepositions, numbers and the adverbs stories begin with. Any other capitalised
#: word is taken for a name or a place.
SENTENCE_STARTERS = frozenset(
    """a after again all also an and another any as at because before both but by during each even every first for from
    he her here his how i if in it its last later let many me more most my next no not now of on once one only or our
    she since so some sometimes that the their then there these they this those through to today together too two
    until us was we were what when where which while who why with without yes you your
    three four five six seven eight nine ten eleven twelve twenty thirty hundred can couldn didn doesn don isn wasn please""".split()
)
#: A word of letters (any script's), with inner apostrophes or hyphens (O'Brien, Jean-Luc).
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;\"“”«»()\[\]]\s*$")


def redact_names(text: str, keep: frozenset[str] | set[str] = frozenset()) -> tuple[str, int]:
    """Replace the names and places a person mentions by ``[name removed]``.

    A name is taken to be a capitalised word (its first letter upper case, not all of
    it) that is not the pronoun "I" (nor I'm, I've), not in ``keep`` (compared in lower
    case) and not an opening word of a sentence listed in :data:`SENTENCE_STARTERS`. A run
    of such words (``Maria Papadopoulou``, ``Nea Smyrni``) becomes one mark. Like
    :func:`redact` it errs on the side of removing: a language or a nationality with
    its capital goes too unless ``keep`` names it. Words in all capitals (``EU``,
    ``NGO``) are kept. Scripts without letter case are not touched.

    Returns the text and the number of marks put in.

    Examples
    --------
    >>> redact_names("My neighbour Ahmed took me to the market in Kalamaria.")
    ('My neighbour [name removed] took me to the market in [name removed].', 2)
    >>> redact_names("Now I teach Greek to Maria Papadopoulou.", keep={"greek"})
    ('Now I teach Greek to [name removed].', 1)
    """
    keep = {k.lower() for k in keep}
    out, pos, n, last_name = [], 0, 0, False
    for m in _WORD.finditer(text):
        word, gap = m.group(0), text[pos : m.start()]
        starts = pos == 0 or bool(_SENTENCE_END.search(gap))
        base = re.split("['’]", word)[0].lower()  # I'm, It's, Don't: the word before the apostrophe
        name = word[0].isupper() and any(c.islower() for c in word) and word.lower() not in keep and base != "i" and not (starts and base in SENTENCE_STARTERS)
        pos = m.end()
        if name and last_name and not gap.strip():
            continue  # the next word of the same name: one mark for the run
        out += [gap, NAME_MARK if name else word]
        n += name
        last_name = name
    out.append(text[pos:])
    return "".join(out), n


def redact_column(values: pd.Series) -> tuple[pd.Series, int]:
    """:func:`redact` applied to every non-missing cell; returns the column and the number of cells changed."""
    changed = 0
    out = values.astype("string").copy()
    for idx, v in values.dropna().items():
        new, n = redact(str(v))
        if n:
            out[idx] = new
            changed += 1
    return out, changed


def redact_names_column(values: pd.Series) -> tuple[pd.Series, int]:
    """:func:`redact_names` applied to every non-missing cell; returns the column and the number of cells changed."""
    out = values.astype("string").copy()
    changed = 0
    for idx, v in values.dropna().items():
        new, n = redact_names(str(v))
        if n:
            out[idx] = new
            changed += 1
    return out, changed


def redact_quarantine(quarantine: pd.DataFrame) -> pd.DataFrame:
    """The quarantine's ``value`` and ``detail`` with e-mail addresses and phone numbers removed.

    A quarantine line shows the value as typed so that it can be fixed, and
    people type their phone number into the wrong box; the quarantine is published
    with the report, so it gets the same redaction as kept free text.
    """
    out = quarantine.copy()
    for col in ("value", "detail"):
        if col in out.columns and len(out):
            out[col] = out[col].map(lambda v: redact(v)[0] if isinstance(v, str) else v)
    return out


def _parse_dates(values: pd.Series) -> pd.Series:
    """Dates from text: ISO 8601 first (as survey tools export), else day first (01/03/1990, 1.3.1990)."""
    text = values.astype("string").str.strip()
    iso = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True).dt.tz_localize(None)
    rest = iso.isna() & text.notna()
    if rest.any():
        iso[rest] = pd.to_datetime(text[rest].str.replace(".", "/", regex=False), errors="coerce", dayfirst=True, format="%d/%m/%Y")
    return iso


def age_groups(birth: pd.Series, at: pd.Series, bands: dict[str, tuple[int, int | None]]) -> pd.Series:
    """Age groups from birth dates, at the given dates.

    age = completed years between the birth date and ``at``:
    ``year(at) - year(birth) - 1`` if ``at`` falls before the birthday in its year,
    else ``year(at) - year(birth)``. The group is the band ``(lo, hi)`` with
    ``lo <= age <= hi`` (``hi`` None: no upper bound). A date that is not a date, a
    missing ``at``, or an age in no band gives a missing group.

    Examples
    --------
    >>> b = pd.Series(["1990-06-15", "1990-06-16", "bad"])
    >>> at = pd.Series(pd.to_datetime(["2020-06-15", "2020-06-15", "2020-06-15"]))
    >>> age_groups(b, at, {"18-29": (18, 29), "30+": (30, None)}).tolist()
    ['30+', '18-29', <NA>]
    """
    born = _parse_dates(birth)
    when = pd.to_datetime(at, errors="coerce")
    before_birthday = (when.dt.month < born.dt.month) | ((when.dt.month == born.dt.month) & (when.dt.day < born.dt.day))
    age = when.dt.year - born.dt.year - before_birthday.astype("Int64")
    out = pd.Series(pd.NA, index=birth.index, dtype="string")
    for label, (lo, hi) in bands.items():
        inside = (age >= lo) & (age <= hi if hi is not None else True)
        out[inside.fillna(False).astype(bool)] = label
    return out


@dataclass
class Deidentified:
    """A de-identified frame and what was done to it, for the run's notes."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def deidentify(frame: pd.DataFrame, codebook: Codebook, key: bytes) -> pd.DataFrame:
    """Drop personal and metadata fields and pseudonymise the respondent identifier.

    Free-text fields are redacted and birth dates turned into age groups first
    (see :func:`deidentify_with_notes`). Returns a new frame; the input is not changed.
    """
    return deidentify_with_notes(frame, codebook, key).frame


def deidentify_with_notes(frame: pd.DataFrame, codebook: Codebook, key: bytes, name: str = "", known: Known | None = None) -> Deidentified:
    """:func:`deidentify`, also saying how many answers were redacted or converted.

    ``known``: respondent identifiers hashed for an earlier file of the instrument
    (:class:`Known`), used and added to; submission ids are one file's each.
    """
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    notes = []
    where = f"{name}: " if name else ""
    for f in codebook.fields_by_role("free_text"):
        if f.name in out.columns:
            out[f.name], n = redact_column(out[f.name])
            if n:
                notes.append(f"{where}{n} answer(s) to {f.name!r} held e-mail addresses or phone numbers; they were removed")
            if codebook.design == "voices":  # the one text that may be published: names and places go too
                out[f.name], n = redact_names_column(out[f.name])
                if n:
                    notes.append(f"{where}{n} text(s) in {f.name!r} named people or places; the names were replaced by {NAME_MARK}")
    for f in codebook.fields_by_role("birth_date"):
        if f.name not in out.columns or f.age_group not in out.columns:
            continue
        given = out[f.name].notna()
        if not given.any():
            continue
        at = out["submission_time"] if "submission_time" in out.columns else pd.Series(pd.NaT, index=out.index)
        at = pd.to_datetime(at, errors="coerce", utc=True, format="ISO8601").dt.tz_localize(None)
        groups = age_groups(out[f.name], at, f.age_bands)
        fill = out[f.age_group].isna() & groups.notna()
        out[f.age_group] = out[f.age_group].astype("string").mask(fill, groups)
        unusable = int((given & groups.isna()).sum())
        notes.append(f"{where}{int(given.sum())} birth date(s) in {f.name!r} became age groups in {f.age_group!r} and were dropped")
        if unusable:
            notes.append(f"{where}{unusable} birth date(s) in {f.name!r} gave no age group (not a date, no submission date, or an age outside {sorted(f.age_bands)}); the age group was left empty")
    drop = [f.name for f in codebook.fields_by_role(*DROPPED_ROLES) if f.name in out.columns]
    out = out.drop(columns=drop)
    # submission ids too: a KoboToolbox _uuid or an ODK instanceID finds the identified
    # submission on the server, so it is as identifying as the respondent's id
    for col in ("respondent_id", "submission_id"):
        if col in out.columns:
            out[col] = pseudonymise(out[col], key, known if col == "respondent_id" else None)
    return Deidentified(out, notes)
