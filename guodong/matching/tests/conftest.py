"""The demand tests' controlled generators, for the mission and matching tests too."""

from guodong.demands.tests.conftest import generators  # noqa: F401
