"""Small-number suppression for published outcome tables (R14, issue 6 point 2). Pure; no ORM.

Why: every outcome figure can be cut by the R14 subgroups ("for whom"). A cut of a small
service by sex, age band and ethnic group quickly reaches cells of one or two people, who can
then be recognised. So a published count under a threshold (default 5, a setting read by the
caller and passed in here) is replaced by a marker.

Conventions followed:
- The marker is the Government Statistical Service one, "[c]" for confidential (GSS guidance on
  symbols in tables). Its text is in ``MARKER_TEXT`` and its meaning, for the page's key, in
  ``marker_meaning(threshold)``.
- Zero is shown (NHS Digital practice: "none" is not disclosive on its own and hiding zeros hides
  real gaps in care). ``suppress_zero=True`` hides zeros too, for the rare table where a zero is
  itself sensitive.
- Primary suppression: a count from 1 to threshold - 1 is hidden, and so is any total in that range.
- Secondary suppression: a hidden number must not be recoverable by subtraction from what is
  shown. A table with its totals is treated as one grid: the row totals are one more column and
  the column totals (with the grand total) one more row. Every row and every column of that grid
  is a sum, so no line may have exactly one hidden entry. And where a line's total is shown, the
  hidden cells in it must add up to at least the threshold: otherwise "these two hidden cells come
  to 2" is itself a small number, and with zeros shown a reader knows each hidden cell is at least
  1, so both are 1. Where a line breaks either rule, the smallest non-zero other entry in it is
  hidden too (cells before totals; ties go to the first row, then the first column). That can
  break a crossing line, so it repeats until stable. Finally the pattern is checked as a whole:
  the hidden entries, seen as edges between their row and their column, must each lie on a cycle
  (an entry whose edge is a bridge is fixed by the shown totals even when every line has two
  hidden entries); a bridge is closed by hiding one more entry across it, and the line rules run
  again.

What that guarantees: no hidden entry can be worked out exactly from the shown numbers (each lies
on a cycle, so the shown totals allow more than one value), and no single row or column gives
away a small group through its total. What it does not attempt: an optimal (least) pattern, or
bounds a determined reader could derive by combining several lines with the knowledge that counts
are not negative; a linear-programming audit would be the next step if tables grow large.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from enum import Enum

DEFAULT_THRESHOLD = 5
MARKER_TEXT = "[c]"

Position = tuple[int, int]


class Suppressed(Enum):
    """The marker put in place of a hidden number."""

    CONFIDENTIAL = MARKER_TEXT

    def __str__(self) -> str:
        return MARKER_TEXT


SUPPRESSED = Suppressed.CONFIDENTIAL
Cell = int | Suppressed


def marker_meaning(threshold: int) -> str:
    """The sentence a page shows beside any table with the marker in it."""
    return (
        f"{MARKER_TEXT} confidential: a number from 1 to {threshold - 1}, or a number that would let one "
        "be worked out from the totals, is hidden to protect the people it counts."
    )


def text(value: Cell) -> str:
    """A shown number as text, or the marker (for pages and CSV alike)."""
    return MARKER_TEXT if value is SUPPRESSED else str(value)


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 2:
        raise ValueError("The suppression threshold must be a whole number of 2 or more.")


def _check_count(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"A count must be a whole number of 0 or more, not {value!r}.")


def _primary(value: int, threshold: int, suppress_zero: bool) -> bool:
    return 0 < value < threshold or (suppress_zero and value == 0)


@dataclass(frozen=True)
class CountTable:
    """Counts to publish: rows by one cut, columns by another (or by measure state); labels kept."""

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not self.row_labels or not self.column_labels:
            raise ValueError("A table needs at least one row and one column.")
        if len(self.counts) != len(self.row_labels):
            raise ValueError("A table needs one row of counts per row label.")
        for row in self.counts:
            if len(row) != len(self.column_labels):
                raise ValueError("Every row needs one count per column label.")
            for value in row:
                _check_count(value)

    @property
    def row_totals(self) -> tuple[int, ...]:
        return tuple(sum(row) for row in self.counts)

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*self.counts, strict=True))

    @property
    def grand_total(self) -> int:
        return sum(self.row_totals)

    def grid(self) -> tuple[tuple[int, ...], ...]:
        """The counts with row totals as a last column and column totals as a last row."""
        rows = tuple((*row, total) for row, total in zip(self.counts, self.row_totals, strict=True))
        return (*rows, (*self.column_totals, self.grand_total))


@dataclass(frozen=True)
class PublishedTable:
    """A table ready to show: each cell and total is a number or SUPPRESSED."""

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    grand_total: Cell
    threshold: int

    @property
    def has_suppression(self) -> bool:
        """True when the page must show the marker's meaning."""
        return SUPPRESSED in (
            *(c for row in self.cells for c in row),
            *self.row_totals,
            *self.column_totals,
            self.grand_total,
        )


@dataclass(frozen=True)
class PublishedCounts:
    """A single list of counts with its total, ready to show."""

    labels: tuple[str, ...]
    cells: tuple[Cell, ...]
    total: Cell
    threshold: int


@dataclass(frozen=True)
class PublishedRate:
    """A proportion ready to show: numerator, denominator and rate, each shown or SUPPRESSED."""

    numerator: Cell
    denominator: Cell
    rate: float | Suppressed


def _choice_key(grid: Sequence[Sequence[int]], position: Position) -> tuple[bool, bool, int, int, int]:
    # Prefer a non-zero entry (hiding a zero protects little), then a cell over a total, then the smallest.
    r, c = position
    value = grid[r][c]
    is_total = r == len(grid) - 1 or c == len(grid[0]) - 1
    return (value == 0, is_total, value, r, c)


def _lines(n_rows: int, n_cols: int) -> list[list[Position]]:
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    columns = [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return rows + columns


def _reachable(start: tuple[str, int], edges: Iterable[Position]) -> set[tuple[str, int]]:
    """Row and column nodes joined to start through hidden entries (a row node meets a column node)."""
    neighbours: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for r, c in edges:
        neighbours.setdefault(("r", r), []).append(("c", c))
        neighbours.setdefault(("c", c), []).append(("r", r))
    seen = {start}
    stack = [start]
    while stack:
        for nxt in neighbours.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _close_a_bridge(grid: Sequence[Sequence[int]], hidden: set[Position]) -> Position | None:
    """An entry to hide that puts a bridge on a cycle, or None when no hidden entry is a bridge."""
    for edge in sorted(hidden):
        others = hidden - {edge}
        side_a = _reachable(("r", edge[0]), others)
        if ("c", edge[1]) in side_a:
            continue
        side_b = _reachable(("c", edge[1]), others)
        candidates = [
            (r, c)
            for r in range(len(grid))
            for c in range(len(grid[0]))
            if (r, c) not in hidden
            and ((("r", r) in side_a and ("c", c) in side_b) or (("r", r) in side_b and ("c", c) in side_a))
        ]
        if candidates:
            return min(candidates, key=lambda p: _choice_key(grid, p))
    return None


def _line_leaks(grid: Sequence[Sequence[int]], line: list[Position], hidden: Set[Position], threshold: int) -> bool:
    """A line (its last entry the total) with exactly one hidden entry, or a shown total whose hidden
    cells add up to less than the threshold."""
    if sum(p in hidden for p in line) == 1:
        return True
    hidden_cells = [grid[r][c] for r, c in line[:-1] if (r, c) in hidden]
    return line[-1] not in hidden and bool(hidden_cells) and sum(hidden_cells) < threshold


def protect(grid: Sequence[Sequence[int]], hidden: Set[Position], *, threshold: int) -> frozenset[Position]:
    """Secondary suppression on a grid whose last row and last column are totals.

    Takes the primary hidden positions and returns them with every entry that must also be hidden
    so none can be worked out from what is shown (see the module docstring). Deterministic, and a
    fixed point: protecting an already protected pattern adds nothing.
    """
    _check_threshold(threshold)
    n_rows, n_cols = len(grid), len(grid[0])
    result = set(hidden)
    lines = _lines(n_rows, n_cols)
    while True:
        changed = False
        for line in lines:
            if _line_leaks(grid, line, result, threshold):
                result.add(min((p for p in line if p not in result), key=lambda p: _choice_key(grid, p)))
                changed = True
        if changed:
            continue
        extra = _close_a_bridge(grid, result)
        if extra is None:
            return frozenset(result)
        result.add(extra)


def suppress_table(
    table: CountTable, *, threshold: int = DEFAULT_THRESHOLD, suppress_zero: bool = False
) -> PublishedTable:
    """R14: the table with small numbers hidden, including any a total would give away."""
    _check_threshold(threshold)
    grid = table.grid()
    primary = {
        (r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if _primary(value, threshold, suppress_zero)
    }
    hidden = protect(grid, primary, threshold=threshold)
    shown: list[list[Cell]] = [
        [SUPPRESSED if (r, c) in hidden else value for c, value in enumerate(row)] for r, row in enumerate(grid)
    ]
    return PublishedTable(
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=tuple(tuple(row[:-1]) for row in shown[:-1]),
        row_totals=tuple(row[-1] for row in shown[:-1]),
        column_totals=tuple(shown[-1][:-1]),
        grand_total=shown[-1][-1],
        threshold=threshold,
    )


def suppress_counts(
    labels: Sequence[str], counts: Sequence[int], *, threshold: int = DEFAULT_THRESHOLD, suppress_zero: bool = False
) -> PublishedCounts:
    """R14: one list of counts with its total (e.g. referrals by route), small numbers hidden.

    The list and its total are one line with the same rules as a table's rows: while exactly one
    entry is hidden, or the total is shown and the hidden counts add up to less than the
    threshold, the smallest non-zero other count is hidden too (the total last).
    """
    _check_threshold(threshold)
    if not counts or len(labels) != len(counts):
        raise ValueError("A list needs at least one count and one label per count.")
    for value in counts:
        _check_count(value)
    line = [*counts, sum(counts)]
    last = len(line) - 1
    positions = [(0, i) for i in range(len(line))]
    found = {(0, i) for i, value in enumerate(line) if _primary(value, threshold, suppress_zero)}
    while _line_leaks([line], positions, found, threshold):
        found.add(
            min(
                (p for p in positions if p not in found),
                key=lambda p: (line[p[1]] == 0, p[1] == last, line[p[1]], p[1]),
            )
        )
    hidden = {i for _, i in found}
    shown: list[Cell] = [SUPPRESSED if i in hidden else value for i, value in enumerate(line)]
    return PublishedCounts(labels=tuple(labels), cells=tuple(shown[:-1]), total=shown[-1], threshold=threshold)


def suppress_rate(
    numerator: int, denominator: int, *, threshold: int = DEFAULT_THRESHOLD, suppress_zero: bool = False
) -> PublishedRate:
    """R14: a proportion (e.g. followed up on time out of missed appointments), small numbers hidden.

    The rate is hidden when the numerator is 1 to threshold - 1, when the people NOT counted
    (denominator minus numerator) are 1 to threshold - 1 (complement disclosure: "95% of 20"
    tells you one person), or when the denominator is under the threshold (including 0, where
    there is no rate). A hidden rate hides its numerator too; the denominator follows the rule
    for a single count.
    """
    _check_threshold(threshold)
    _check_count(numerator)
    _check_count(denominator)
    if numerator > denominator:
        raise ValueError("A numerator cannot be larger than its denominator.")
    hide_rate = (
        _primary(numerator, threshold, suppress_zero)
        or 0 < denominator - numerator < threshold
        or denominator < threshold
    )
    return PublishedRate(
        numerator=SUPPRESSED if hide_rate else numerator,
        denominator=SUPPRESSED if _primary(denominator, threshold, suppress_zero) else denominator,
        rate=SUPPRESSED if hide_rate else numerator / denominator,
    )
