from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backcare.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from backcare.accounts.signals import set_session_length

        user_logged_in.connect(set_session_length, dispatch_uid="backcare.session_length")
