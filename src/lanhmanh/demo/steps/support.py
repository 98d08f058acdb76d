"""Demo data of outreach and support (see ``lanhmanh.support.demo``): after the registry (order 40)."""

from lanhmanh.demo.loader import step
from lanhmanh.support.demo import load

step(order=60, name="support.load")(load)
