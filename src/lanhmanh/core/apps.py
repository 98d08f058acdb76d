from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lanhmanh.core"
    verbose_name = "Core"
