"""Referrals into a service from every route."""
