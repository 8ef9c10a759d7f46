"""R14 small-number suppression: hand-worked tables, then properties over random tables (hypothesis).

No database. "c" below stands for the [c] marker in the hand-written expected tables.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coexist.outcomes.rules.suppression import (
    DEFAULT_THRESHOLD,
    MARKER_TEXT,
    SUPPRESSED,
    Cell,
    CountTable,
    PublishedTable,
    marker_meaning,
    protect,
    suppress_counts,
    suppress_rate,
    suppress_table,
    text,
)

c = SUPPRESSED


def table(counts: list[list[int]]) -> CountTable:
    return CountTable(
        row_labels=tuple(f"row {i}" for i in range(len(counts))),
        column_labels=tuple(f"column {j}" for j in range(len(counts[0]))),
        counts=tuple(tuple(row) for row in counts),
    )


def published_grid(published: PublishedTable) -> list[list[Cell]]:
    """The published table as one grid: row totals as a last column, column totals as a last row."""
    rows = [[*cells, total] for cells, total in zip(published.cells, published.row_totals, strict=True)]
    return [*rows, [*published.column_totals, published.grand_total]]


# --- hand-worked examples ---------------------------------------------------------------------


def test_r14_marker_is_the_gss_confidential_symbol() -> None:
    assert MARKER_TEXT == "[c]"
    assert str(SUPPRESSED) == "[c]"
    assert text(SUPPRESSED) == "[c]"
    assert text(12) == "12"
    assert DEFAULT_THRESHOLD == 5
    assert "1 to 4" in marker_meaning(5)


def test_r14_one_small_cell_hides_a_square_of_four() -> None:
    # 3 is hidden; row 0 would give it away (25 - 10 - 12), so the smallest other cell, 10, goes;
    # then columns 0 and 1 each have one hidden cell, so 8 and 9 go. The four make a square.
    published = suppress_table(table([[10, 3, 12], [8, 9, 20]]))
    assert published_grid(published) == [
        [c, c, 12, 25],
        [c, c, 20, 37],
        [18, 12, 32, 62],
    ]
    assert published.has_suppression
    assert published.row_labels == ("row 0", "row 1")


def test_r14_a_small_row_total_is_hidden_and_cannot_be_recovered_from_the_grand_total() -> None:
    # Row 0 (2, 1, total 3) is all under 5. Showing row 1 in full would give row 0 by subtraction
    # from the column totals, and showing 13 would give 3 = 16 - 13. So row 1 is hidden too.
    published = suppress_table(table([[2, 1], [6, 7]]))
    assert published_grid(published) == [
        [c, c, c],
        [c, c, c],
        [8, 8, 16],
    ]


def test_r14_zero_is_shown_by_default_and_hidden_when_asked() -> None:
    counts = [[0, 9], [0, 7]]
    assert published_grid(suppress_table(table(counts))) == [[0, 9, 9], [0, 7, 7], [0, 16, 16]]
    # With zeros hidden, column 0 is all hidden; each row then has one hidden cell, so the other
    # cell goes too (a cell before a total); in the totals row the two totals tie at 16 and the
    # first (column 1) goes.
    assert published_grid(suppress_table(table(counts), suppress_zero=True)) == [
        [c, c, 9],
        [c, c, 7],
        [c, c, 16],
    ]


def test_r14_nothing_small_nothing_hidden() -> None:
    published = suppress_table(table([[5, 6], [7, 0]]))
    assert published_grid(published) == [[5, 6, 11], [7, 0, 7], [12, 6, 18]]
    assert not published.has_suppression


def test_r14_threshold_is_configurable() -> None:
    assert published_grid(suppress_table(table([[10, 3, 12], [8, 9, 20]]), threshold=3)) == [
        [10, 3, 12, 25],
        [8, 9, 20, 37],
        [18, 12, 32, 62],
    ]
    # At 10, both 8 and 9 are primary, and then 3, 8 and 9 and their partners.
    assert published_grid(suppress_table(table([[10, 3, 12], [8, 9, 20]]), threshold=10)) == [
        [c, c, 12, 25],
        [c, c, 20, 37],
        [18, 12, 32, 62],
    ]


def test_r14_a_bridge_between_two_hidden_squares_is_closed() -> None:
    # Two hidden squares (rows 0-1 x columns 0-1 and rows 2-3 x columns 2-3) joined by one hidden
    # cell (0, 2). Every line has 0 or at least 2 hidden cells, yet (0, 2) can be worked out:
    # the totals of columns 0 and 1 give the sum of the first square, and then the totals of rows
    # 0 and 1 give (0, 2). Hiding the smallest cell across the bridge (7 at (1, 2)) puts it on a
    # cycle.
    grid = table([[1, 2, 3, 40], [4, 6, 7, 50], [9, 30, 5, 8], [11, 12, 13, 14]]).grid()
    squares = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert determined(grid, squares | {(0, 2)}) == {(0, 2)}
    assert protect(grid, squares | {(0, 2)}, threshold=5) == squares | {(0, 2), (1, 2)}
    assert determined(grid, squares | {(0, 2), (1, 2)}) == set()


def test_r14_small_hidden_sums_and_a_bridge_in_an_ordinary_table() -> None:
    # Worked by hand (threshold 5). Grid with totals:
    #    1  0  0 |  1
    #   17  2  1 | 20
    #    1  6  2 |  9
    #   19  8  3 | 30
    # Primary: 1, 1 (row 0 and its total), 2, 1, 1, 2 and the column total 3.
    # Row 1: hidden 2 + 1 = 3 under a shown 20 is a small group, so 17 goes. Row 2: 1 + 2 = 3 under
    # a shown 9, so 6 goes. Totals row: 3 alone, so 8 goes. Column 3: 1 alone, so 9 goes.
    # Every hidden entry is now on a cycle (without the sum rule, row 2's 2 was a bridge).
    assert published_grid(suppress_table(table([[1, 0, 0], [17, 2, 1], [1, 6, 2]]))) == [
        [c, 0, 0, c],
        [c, c, c, 20],
        [c, c, c, c],
        [19, c, c, 30],
    ]


def test_r14_one_row_table_hides_column_totals_with_their_cells() -> None:
    # With one row, each column total equals its cell, so it is hidden with it.
    assert published_grid(suppress_table(table([[3, 8, 9]]))) == [[c, c, 9, 20], [c, c, 9, 20]]


def test_r14_list_hides_smallest_other_count() -> None:
    published = suppress_counts(["self", "staff", "drop-in", "ward", "GP"], [12, 3, 0, 8, 20])
    assert published.cells == (12, c, 0, c, 20)
    assert published.total == 43


def test_r14_list_ties_go_to_the_first() -> None:
    assert suppress_counts(["a", "b", "c"], [4, 6, 6]).cells == (c, c, 6)


def test_r14_list_with_a_small_total_hides_it() -> None:
    published = suppress_counts(["a", "b", "c"], [2, 0, 0])
    assert (published.cells, published.total) == ((c, 0, 0), c)


def test_r14_list_whose_hidden_counts_add_up_to_a_small_number_hides_more() -> None:
    # 1 and 1 are hidden, but "they come to 2" would show under a total of 30, so 28 goes too.
    published = suppress_counts(["a", "b", "c"], [1, 1, 28])
    assert (published.cells, published.total) == ((c, c, c), 30)


def test_r14_list_of_two_hides_both_not_the_total() -> None:
    published = suppress_counts(["a", "b"], [6, 1])
    assert (published.cells, published.total) == ((c, c), 7)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 10, (0, 10, 0.0)),
        (5, 10, (5, 10, 0.5)),
        (10, 10, (10, 10, 1.0)),
        (3, 10, (c, 10, c)),  # numerator small
        (9, 10, (c, 10, c)),  # one person not counted: complement disclosure
        (6, 10, (c, 10, c)),  # four not counted
        (5, 9, (c, 9, c)),
        (4, 4, (c, c, c)),  # denominator small
        (0, 3, (c, c, c)),  # "none of 3" still describes 3 people
        (0, 0, (c, 0, c)),  # no rate at all
        (5, 5, (5, 5, 1.0)),
    ],
)
def test_r14_rate(numerator: int, denominator: int, expected: tuple[Cell, Cell, object]) -> None:
    rate = suppress_rate(numerator, denominator)
    assert (rate.numerator, rate.denominator, rate.rate) == expected


@pytest.mark.parametrize("threshold", [1, 0, -5, True, 2.5])
def test_r14_threshold_under_two_is_refused(threshold: int) -> None:
    with pytest.raises(ValueError, match="threshold"):
        suppress_table(table([[1]]), threshold=threshold)
    with pytest.raises(ValueError, match="threshold"):
        suppress_counts(["a"], [1], threshold=threshold)
    with pytest.raises(ValueError, match="threshold"):
        suppress_rate(1, 2, threshold=threshold)


@pytest.mark.parametrize(
    "build",
    [
        lambda: table([[1, 2], [3]]),
        lambda: table([[1, -2]]),
        lambda: table([[1, True]]),
        lambda: CountTable(row_labels=(), column_labels=(), counts=()),
        lambda: CountTable(row_labels=("a",), column_labels=("x",), counts=((1,), (2,))),
        lambda: suppress_counts([], []),
        lambda: suppress_counts(["a"], [1, 2]),
        lambda: suppress_rate(6, 5),
        lambda: suppress_rate(-1, 5),
    ],
)
def test_r14_bad_input_is_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=r"count|row|table|list|numerator"):
        build()


# --- an independent check: which hidden entries do the shown numbers pin down? ----------------


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows]
    rank = 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def determined(grid: tuple[tuple[int, ...], ...], hidden: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Hidden entries whose value follows from the shown ones by linear algebra.

    Each row and column of the grid says "cells add up to the total"; the unknowns are the hidden
    entries. An unknown is pinned down exactly when its unit vector lies in the row space of the
    constraints on the unknowns (adding it does not raise the rank).
    """
    unknowns = sorted(hidden)
    n_rows, n_cols = len(grid), len(grid[0])
    lines = [[(r, k) for k in range(n_cols)] for r in range(n_rows)]
    lines += [[(k, col) for k in range(n_rows)] for col in range(n_cols)]
    constraints = []
    for line in lines:
        total = line[-1]
        coefficient = {p: Fraction(1) for p in line[:-1]} | {total: Fraction(-1)}
        constraints.append([coefficient.get(u, Fraction(0)) for u in unknowns])
    base = _rank(constraints)
    pinned = set()
    for i, u in enumerate(unknowns):
        unit = [Fraction(1 if j == i else 0) for j in range(len(unknowns))]
        if _rank([*constraints, unit]) == base:
            pinned.add(u)
    return pinned


# --- properties over random tables ------------------------------------------------------------

small_counts = st.one_of(st.integers(0, 12), st.integers(0, 200))


@st.composite
def tables(draw: st.DrawFn) -> CountTable:
    n_rows = draw(st.integers(1, 4))
    n_cols = draw(st.integers(1, 4))
    return table([[draw(small_counts) for _ in range(n_cols)] for _ in range(n_rows)])


@settings(max_examples=300, deadline=None)
@given(counts=tables(), threshold=st.integers(2, 12), suppress_zero=st.booleans())
def test_r14_property_no_small_number_leaks(counts: CountTable, threshold: int, suppress_zero: bool) -> None:
    published = suppress_table(counts, threshold=threshold, suppress_zero=suppress_zero)
    original = counts.grid()
    shown = published_grid(published)
    hidden = {(r, k) for r, row in enumerate(shown) for k, value in enumerate(row) if value is SUPPRESSED}
    for r, row in enumerate(original):
        for k, value in enumerate(row):
            # (a) every count or total from 1 to threshold - 1 (and 0 when asked) is hidden;
            if 0 < value < threshold or (suppress_zero and value == 0):
                assert (r, k) in hidden
            # (d) everything shown is the true number.
            if (r, k) not in hidden:
                assert shown[r][k] == value
    # (b) no row or column, totals included, has exactly one hidden entry;
    for shown_row in shown:
        assert sum(v is SUPPRESSED for v in shown_row) != 1
    for column in zip(*shown, strict=True):
        assert sum(v is SUPPRESSED for v in column) != 1
    # (b2) where a line's total is shown, its hidden cells add up to at least the threshold;
    for r, shown_row in enumerate(shown):
        if shown_row[-1] is not SUPPRESSED:
            hidden_sum = [original[r][k] for k in range(len(shown_row) - 1) if shown_row[k] is SUPPRESSED]
            assert not hidden_sum or sum(hidden_sum) >= threshold
    for k in range(len(shown[0])):
        if shown[-1][k] is not SUPPRESSED:
            hidden_sum = [original[r][k] for r in range(len(shown) - 1) if shown[r][k] is SUPPRESSED]
            assert not hidden_sum or sum(hidden_sum) >= threshold
    # (c) no hidden entry can be worked out exactly from the shown numbers;
    assert determined(original, hidden) == set()
    # (e) protecting again adds nothing, and the same table always gives the same answer.
    assert protect(original, hidden, threshold=threshold) == hidden
    assert suppress_table(counts, threshold=threshold, suppress_zero=suppress_zero) == published


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(small_counts, min_size=1, max_size=8), threshold=st.integers(2, 12))
def test_r14_property_list_never_leaks(counts: list[int], threshold: int) -> None:
    published = suppress_counts([str(i) for i in range(len(counts))], counts, threshold=threshold)
    line = [*published.cells, published.total]
    original = [*counts, sum(counts)]
    assert sum(v is SUPPRESSED for v in line) != 1
    hidden_sum = [value for value, shown in zip(counts, published.cells, strict=True) if shown is SUPPRESSED]
    assert published.total is SUPPRESSED or not hidden_sum or sum(hidden_sum) >= threshold
    for value, shown in zip(original, line, strict=True):
        assert shown is SUPPRESSED if 0 < value < threshold else shown in (value, SUPPRESSED)


@given(denominator=st.integers(0, 60), data=st.data(), threshold=st.integers(2, 12))
def test_r14_property_shown_rate_discloses_no_small_group(
    denominator: int, data: st.DataObject, threshold: int
) -> None:
    numerator = data.draw(st.integers(0, denominator))
    rate = suppress_rate(numerator, denominator, threshold=threshold)
    if rate.rate is not SUPPRESSED:
        assert denominator >= threshold
        assert not 0 < numerator < threshold
        assert not 0 < denominator - numerator < threshold
        assert rate.numerator == numerator
        assert rate.rate == numerator / denominator
    else:
        assert rate.numerator is SUPPRESSED
