"""CSV data of Postman collections read as Newman's csv-parse reads it (no corpus needed)."""

from __future__ import annotations

from pathlib import Path

from runner.loader.data import load_data


def test_blanks_around_a_quoted_value_are_trimmed_on_both_sides(tmp_path: Path) -> None:
    # Newman's own comma-test-csv suite (shared corpus, postman-more): ` "foo" ` is foo, and
    # a quote inside an unquoted value stays as written. Newman 6.2.2's csv-parse gives
    # exactly these records for this file.
    data = tmp_path / "data.csv"
    data.write_text(
        'a, spaceAfter ,spaceBefore,inner\n"x, y", "foo" ,"bar" , Abhijit "KDOS" Kane\n',
        encoding="utf-8",
    )
    assert load_data(data, lenient=True) == [
        {"a": "x, y", "spaceAfter": "foo", "spaceBefore": "bar", "inner": 'Abhijit "KDOS" Kane'}
    ]
