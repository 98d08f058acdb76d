"""Demo data of healthy-commune assessments and model communes (see ``lanhmanh.demo.communes``)."""

from lanhmanh.demo.communes import load
from lanhmanh.demo.loader import step

step(order=70, name="communes.load")(load)
