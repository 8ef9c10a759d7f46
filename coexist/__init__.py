"""Coexist: shared care coordination and evaluation for coexisting severe mental illness and substance use."""
