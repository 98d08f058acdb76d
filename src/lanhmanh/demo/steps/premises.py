"""Demo data of the establishment register (see ``lanhmanh.premises.demo``)."""

from lanhmanh.premises.demo import premises_register  # noqa: F401  (registers the step)
