from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications and the reminder sweeps that send them.

    The label is "iom" because these tables, their migrations and their permissions were made when
    this code lived in the project package: keeping it keeps the table names (iom_notification ...),
    the migration history and the granted permissions (iom.view_heartbeat) exactly as they are.
    """

    default = True
    name = "notifications"
    label = "iom"
    verbose_name = "Notifications"
