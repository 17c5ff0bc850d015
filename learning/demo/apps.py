from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for local runs: ``manage.py load_demo_data``."""

    name = "learning.demo"
    label = "demo"
    verbose_name = "Demo data"
