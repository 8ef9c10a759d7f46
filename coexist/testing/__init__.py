"""Test support: factories and the small named cast the tests share."""
