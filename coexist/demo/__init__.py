"""Synthetic demo and test population: plausible, deterministic from a seed, never real people."""
