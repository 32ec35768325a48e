from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhifa.documents"
    verbose_name = "执法文书"
