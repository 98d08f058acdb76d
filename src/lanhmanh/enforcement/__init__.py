"""Enforcement: public hotspots, patrols and tips; criminal cases live in the sub-app ``lanhmanh.enforcement.cases``."""
