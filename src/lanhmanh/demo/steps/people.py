"""Demo data of the people registry (see ``lanhmanh.demo.people``)."""

from lanhmanh.demo.people import people_registry  # noqa: F401  (registers the step)
