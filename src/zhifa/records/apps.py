from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "zhifa.records"
    verbose_name = "执法全过程记录"
