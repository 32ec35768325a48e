from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhifa.core"
    verbose_name = "基础"
