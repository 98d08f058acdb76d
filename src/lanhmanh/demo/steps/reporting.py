"""Demo data of the reporting app (see ``lanhmanh.demo.reporting``)."""

from lanhmanh.demo.reporting import reporting_demo  # noqa: F401  (registers the step)
