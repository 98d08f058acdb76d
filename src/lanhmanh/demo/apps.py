from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lanhmanh.demo"
    verbose_name = "Demo"
