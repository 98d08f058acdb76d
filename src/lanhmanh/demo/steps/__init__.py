"""Demo steps: each module registers its functions with ``lanhmanh.demo.loader.step``."""
