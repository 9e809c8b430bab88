"""Push subscriptions, reminders and their deliveries."""

__all__: list[str] = []
