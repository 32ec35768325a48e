from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhifa.demo"
    verbose_name = "演示数据"
