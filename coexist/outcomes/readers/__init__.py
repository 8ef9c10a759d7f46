"""How each measure in `coexist.outcomes.definitions.MEASURES` is read from the record (issue 6 point 1).

One module per shape of measure: `events` (a unit on the day something happened), `snapshots` (episodes open on
the period's last day), `ward` (ward discharges, worked out per discharge) and `scores` (change between a
person's first and latest measurement). `base` holds what they share. `coexist.outcomes.observations` maps
each measure to its reader and reads it one unit at a time, grouped, or month by month.
"""
