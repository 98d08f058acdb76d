from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lanhmanh.api"
    verbose_name = "API"
