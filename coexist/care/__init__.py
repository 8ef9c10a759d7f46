"""Care teams (and, later, episodes, care plans and case reviews)."""
