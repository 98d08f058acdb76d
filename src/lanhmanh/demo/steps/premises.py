"""Demo data of the establishment register (see ``lanhmanh.demo.premises``)."""

from lanhmanh.demo.premises import premises_register  # noqa: F401  (registers the step)
