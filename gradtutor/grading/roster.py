"""Who handed in what: each result's identity, and the class roster joined to the results.

A roster is a CSV file with a header row naming its columns: `id`, `name`, `email` and
`section` (any order, any case; only one of id, name or email is required), and optionally
`canvas_id` (the Canvas user id, for a Canvas gradebook). A result belongs to the roster
student whose id, email or name equals the answers file's name (`a1234567.yaml`,
`ada@uni.edu.yaml`), tried first, or else the name the student wrote under `student:`. For
an exercise with `variants:`, a roster student's numbers are those of their email (else
id, else name).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import GradtutorError
from ..base.safetext import visible
from ..marking.results import FileResult

COLUMNS = ("id", "name", "email", "section", "canvas_id")
MAX_ROSTER_ROWS = 100_000


@dataclass
class Student:
    id: str = ""
    name: str = ""
    email: str = ""
    section: str = ""
    canvas_id: str = ""

    def matches(self) -> set[str]:
        """What a result or a file name may be matched by: id, email, name (any case)."""
        return {key.casefold() for key in (self.id, self.email, self.name) if key}

    @property
    def variant_name(self) -> str:
        """Whose numbers the student gets (exercises with `variants:`): the email, else the
        id, else the name, as a grading platform names them (Gradescope: email, sid, name)."""
        return self.email or self.id or self.name


def variant_keys(roster: list[Student]) -> dict[str, str]:
    """Each roster student's id, email and name (casefolded) to their variant name; the first
    student keeps a key two share, as in `join`."""
    keys: dict[str, str] = {}
    for student in roster:
        for key in student.matches():
            keys.setdefault(key, student.variant_name)
    return keys


@dataclass
class Row:
    """One line of a gradebook: a roster student, a file, or both."""

    student: Student | None
    result: FileResult | None
    duplicate_of: str | None = None  # another file of the same roster student was kept


@dataclass
class Gradebook:
    rows: list[Row] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # files no roster student claims
    has_roster: bool = False

    @property
    def missing(self) -> list[Student]:
        """Roster students with no submission."""
        return [row.student for row in self.rows if row.student and row.result is None]


def identity(result: FileResult) -> str:
    """Who a result is for: the student it names, else its file's name."""
    if result.student and result.student.strip():
        return result.student.strip()
    return Path(result.answers_file).stem


def read_roster(path: Path) -> list[Student]:
    """The roster's students, in its order; a missing header or column is a clear error."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise GradtutorError(f"cannot read the roster {path}: {error}", field="roster") from None
    reader = csv.DictReader(text.splitlines())
    try:
        return _students(reader, path)
    except csv.Error as error:  # a field over the csv module's limit, a NUL byte
        # line_num counts the lines read before the one that failed
        raise GradtutorError(f"{path}:{reader.line_num + 1}: {error}",
                             field="roster") from None


def _students(reader: csv.DictReader, path: Path) -> list[Student]:
    """The rows of a roster after its header, read as students."""
    header = {name.strip().casefold(): name for name in reader.fieldnames or [] if name}
    if not header.keys() & {"id", "name", "email"}:
        raise GradtutorError(f"{path}: the first row names the columns: id, name, email, "
                             "section (at least one of id, name, email)", field="roster")
    students = []
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROSTER_ROWS:
            raise GradtutorError(f"{path}: more than {MAX_ROSTER_ROWS:,} rows",
                                 field="roster")
        values = {column: visible((raw.get(header[column]) or "").strip(), 200)
                  for column in COLUMNS if column in header}
        if any(values.get(key) for key in ("id", "name", "email")):
            students.append(Student(**values))
    return students


def join(results: list[FileResult], roster: list[Student] | None) -> Gradebook:
    """A row per roster student (their best file, or none) then a row per file no roster
    student claims; without a roster, a row per file."""
    if roster is None:
        return Gradebook([Row(None, result) for result in results])
    owner: dict[str, int] = {}
    for index, student in enumerate(roster):
        for key in student.matches():
            owner.setdefault(key, index)
    claimed: dict[int, list[FileResult]] = {}
    book = Gradebook(has_roster=True)
    unmatched_rows: list[Row] = []
    for result in results:
        found = _owner_of(result, owner)
        if found is None:
            unmatched_rows.append(Row(None, result))
            book.unmatched.append(result.answers_file)
        else:
            claimed.setdefault(found, []).append(result)
    for index, student in enumerate(roster):
        files = claimed.get(index, [])
        best = max(files, key=lambda r: r.score) if files else None
        book.rows.append(Row(student, best))
        book.rows += [Row(student, other, duplicate_of=best.answers_file)
                      for other in files if best is not None and other is not best]
    book.rows += unmatched_rows
    return book


def _owner_of(result: FileResult, owner: dict[str, int]) -> int | None:
    for key in (Path(result.answers_file).stem, identity(result)):  # the file's name first:
        # the submission system names the file, the student types the name
        if key.casefold() in owner:
            return owner[key.casefold()]
    return None
