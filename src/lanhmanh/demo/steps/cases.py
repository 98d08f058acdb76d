"""Demo criminal cases (see ``lanhmanh.enforcement.cases.demo``): after the registry and support."""

from lanhmanh.demo.loader import step
from lanhmanh.enforcement.cases.demo import load

step(order=70, name="cases.load")(load)
