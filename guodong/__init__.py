"""Guodong (国动): integrated national-defence mobilization platform."""
