"""KBART files as providers really send them, read as a librarian loading them would
expect: every field kept, a title's coverage ranges joined, bad rows named by line,
column and value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.assembly.title_fields import Coverage
from app.titles.importing import TitleImportError, read_title_list, read_titles
from app.titles.kbart import KBART_COLUMNS

NATURE, NATURE_ONLINE = "0028-0836", "1476-4687"
SCIENCE_ONLINE = "1095-9203"
BOOK_PRINT, BOOK_ONLINE = "9780306406157", "9783161484100"


def kbart(*rows: dict[str, str], extra: tuple[str, ...] = ()) -> str:
    """A KBART file: the 25 columns (and `extra` ones), a line for each row."""
    header = [*KBART_COLUMNS, *extra]
    lines = ["\t".join(header)]
    lines += ["\t".join(row.get(column, "") for column in header) for row in rows]
    return "\n".join(lines) + "\n"


NATURE_1 = {
    "publication_title": "Nature",
    "print_identifier": NATURE,
    "online_identifier": NATURE_ONLINE,
    "date_first_issue_online": "1869-11-04",
    "num_first_vol_online": "1",
    "num_first_issue_online": "1",
    "date_last_issue_online": "1990-12",
    "num_last_vol_online": "348",
    "title_url": "https://www.nature.com/nature",
    "title_id": "nature",
    "coverage_depth": "fulltext",
    "notes": "Back files",
    "publisher_name": "Springer Nature",
    "publication_type": "serial",
    "access_type": "P",
}
NATURE_2 = {**NATURE_1, "date_first_issue_online": "1997", "num_first_vol_online": "385"}
for field in ("date_last_issue_online", "num_last_vol_online", "num_first_issue_online"):
    NATURE_2[field] = ""
NATURE_2.update(notes="", embargo_info="R1Y")
SCIENCE = {
    "publication_title": "Science Advances",
    "online_identifier": SCIENCE_ONLINE,
    "date_first_issue_online": "2015",
    "publisher_name": "AAAS",
    "access_type": "F",
}
BOOK = {
    "publication_title": "A Treatise on Lists",
    "print_identifier": BOOK_PRINT,
    "online_identifier": BOOK_ONLINE,
    "first_author": "Otlet",
    "first_editor": "La Fontaine",
    "title_url": "https://books.example.org/lists",
    "title_id": "B-17",
    "coverage_depth": "fulltext",
    "publisher_name": "Mundaneum",
    "publication_type": "monograph",
    "date_monograph_published_print": "1934",
    "date_monograph_published_online": "2020-05-01",
    "monograph_volume": "2",
    "monograph_edition": "3",
    "parent_publication_title_id": "P-1",
    "preceding_publication_title_id": "B-16",
}


def test_a_providers_file_with_bom_crlf_trailing_tabs_and_extra_columns_is_read() -> None:
    text = kbart(NATURE_1, SCIENCE, NATURE_2, BOOK, extra=("package_name", ""))
    text = "\ufeff" + text.replace("\n", "\t\t\r\n")
    titles = read_titles(text.encode(), filename="Springer_Global_All_2027-01-01.txt")
    assert [t.title for t in titles] == ["Nature", "Science Advances", "A Treatise on Lists"]
    nature, science, book = titles
    assert nature.coverage == [
        Coverage(
            first_date="1869-11-04",
            first_volume="1",
            first_issue="1",
            last_date="1990-12",
            last_volume="348",
            depth="fulltext",
            notes="Back files",
        ),
        Coverage(first_date="1997", first_volume="385", depth="fulltext", embargo="R1Y"),
    ]
    assert (nature.issn, nature.eissn, nature.title_id) == (NATURE, NATURE_ONLINE, "nature")
    assert (nature.title_url, nature.publisher, nature.access_type) == (
        "https://www.nature.com/nature",
        "Springer Nature",
        "P",
    )
    assert (science.issn, science.eissn, science.access_type) == (None, SCIENCE_ONLINE, "F")
    assert (book.publication_type, book.isbn, book.eisbn) == ("monograph", BOOK_PRINT, BOOK_ONLINE)
    assert (book.issn, book.eissn, book.first_author, book.first_editor) == (
        None,
        None,
        "Otlet",
        "La Fontaine",
    )
    assert book.date_monograph_published_online == "2020-05-01"
    assert (book.monograph_volume, book.monograph_edition) == ("2", "3")
    assert book.preceding_publication_title_id == "B-16"


def test_extra_columns_are_kept_by_name() -> None:
    text = kbart({**SCIENCE, "package_name": "Open"}, extra=("package_name",))
    [title] = read_titles(text.encode(), filename="list.txt")
    assert title.extra == {"package_name": "Open"}


def test_an_issn_l_only_title_and_prices_in_a_named_currency_are_read() -> None:
    data = f"Title,ISSN-L,Price (EUR)\nNature,{NATURE},1200.50\n".encode()
    [title] = read_titles(data, filename="t.csv")
    assert (title.issn_l, title.price) == (NATURE, Decimal("1200.50"))


def test_a_title_opening_with_a_quotation_mark_is_read_as_written() -> None:
    text = kbart({**SCIENCE, "publication_title": '"Quoted" Letters'})
    [title] = read_titles(text.encode(), filename="list.txt")
    assert title.title == '"Quoted" Letters'


def _problems(text: str) -> list[tuple[int, str, str, str]]:
    with pytest.raises(TitleImportError) as caught:
        read_titles(text.encode(), filename="list.txt")
    return [(p.row, p.column, p.value, p.reason) for p in caught.value.problems]


def test_bad_values_are_named_by_line_column_and_value() -> None:
    text = kbart(
        NATURE_1,
        {**SCIENCE, "online_identifier": "1095-9204"},
        {**BOOK, "date_monograph_published_print": "1934-13"},
        {**NATURE_2, "embargo_info": "one year", "coverage_depth": "everything"},
        {
            **BOOK,
            "publication_title": "Other",
            "print_identifier": "9780306406158",
            "online_identifier": "",
        },
    )
    found = _problems(text)
    assert [p[:3] for p in found] == [
        (3, "online_identifier", "1095-9204"),
        (4, "date_monograph_published_print", "1934-13"),
        (5, "embargo_info", "one year"),
        (5, "coverage_depth", "everything"),
        (6, "print_identifier", "9780306406158"),
    ]
    assert "check digit" in found[0][3]
    assert found[1][3] == "'1934-13' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    assert "not a valid ISBN" in found[4][3]


def test_a_shifted_row_is_reported_where_its_fields_went_wrong() -> None:
    good = kbart(NATURE_1, SCIENCE).splitlines()
    shifted = good[2].replace("Science Advances\t", "Science Advances\t\t", 1)
    found = _problems("\n".join([*good[:2], shifted]) + "\n")
    assert (3, "", "F") in [p[:3] for p in found]
    assert "shifted" in found[0][3]
    assert any(p[:2] == (3, "date_first_issue_online") for p in found)


def test_an_identifier_of_two_titles_names_both_lines() -> None:
    text = kbart(NATURE_1, SCIENCE, {**SCIENCE, "publication_title": "Sci. Adv."})
    [(row, column, value, reason)] = _problems(text)
    assert (row, column, value) == (4, "online_identifier", SCIENCE_ONLINE)
    assert reason == f"ISSN {SCIENCE_ONLINE} is also in row 3 (online_identifier)"


def test_a_repeated_title_with_other_details_is_refused() -> None:
    text = kbart(NATURE_1, {**NATURE_2, "publisher_name": "Macmillan"})
    [(row, column, value, reason)] = _problems(text)
    assert (row, column, value) == (3, "publisher_name", "Macmillan")
    assert "repeats the title of row 2" in reason


def test_the_good_rows_can_be_taken_and_the_bad_ones_returned() -> None:
    text = kbart(NATURE_1, {**SCIENCE, "date_first_issue_online": "2015-02-30"}, NATURE_2, BOOK)
    with pytest.raises(TitleImportError, match=r"not a date"):
        read_titles(text.encode(), filename="list.txt")
    result = read_title_list(text.encode(), filename="list.txt", keep_good=True)
    assert [t.title for t in result.titles] == ["Nature", "A Treatise on Lists"]
    assert len(result.titles[0].coverage) == 2
    assert [(p.row, p.column, p.value) for p in result.skipped] == [
        (3, "date_first_issue_online", "2015-02-30")
    ]
