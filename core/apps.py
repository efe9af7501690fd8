from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Granted core"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from core import page_cache
        from core.security import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="core.security.record_lockout")
        page_cache.connect_signals()
