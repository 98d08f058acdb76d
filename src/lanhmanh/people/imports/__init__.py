"""Excel import of police lists: one row is one sanctioned person (identity, violation, decision).

- ``columns``: the columns and the .xlsx template;
- ``reading``: the file checked as a whole, every row's cells as text (``read_workbook``);
- ``checks``: every row checked against the database now (``check_rows``), with the same validators
  as the form (``people.validation.violation_errors``, ``SanctionDecision.clean``), each error naming
  the row and the column;
- ``writing``: the good rows written in bulk, audited, announced once (``import_write``);
- ``rejected``: the rows left out, as an .xlsx to fix and upload again;
- ``jobs``: the confirmation of a large list in the background, and its progress.

The services (``people.services.person_import_*``) hold the transaction; the pages are
``people.views`` and ``people.job_views``.
"""

from lanhmanh.people.imports.checks import ParsedRow, RowStatus, Summary, check_rows, summarise
from lanhmanh.people.imports.columns import COLUMNS, ERROR_HEADER, MAX_ROWS, column_letter, template_workbook
from lanhmanh.people.imports.reading import (
    MAX_FILE_BYTES,
    MAX_ROWS_READ,
    ImportFileError,
    cell_text,
    parse_date,
    parse_datetime,
    read_workbook,
)
from lanhmanh.people.imports.rejected import rejected_rows, rejected_workbook

__all__ = [
    "COLUMNS",
    "ERROR_HEADER",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_ROWS_READ",
    "ImportFileError",
    "ParsedRow",
    "RowStatus",
    "Summary",
    "cell_text",
    "check_rows",
    "column_letter",
    "parse_date",
    "parse_datetime",
    "read_workbook",
    "rejected_rows",
    "rejected_workbook",
    "summarise",
    "template_workbook",
]
