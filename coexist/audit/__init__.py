"""The append-only access log: who saw or changed whose record, when and why."""
