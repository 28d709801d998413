"""Allocation of holdings to demand lines. `engine` is pure NumPy/SciPy/OR-Tools (no Django)."""
