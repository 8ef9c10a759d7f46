"""Organisations, services, teams and staff memberships with roles."""
