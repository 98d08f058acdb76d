"""Demo data of healthy-commune assessments and model communes (see ``lanhmanh.communes.demo``)."""

from lanhmanh.communes.demo import load
from lanhmanh.demo.loader import step

step(order=70, name="communes.load")(load)
