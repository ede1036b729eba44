"""The helpdesk in the Wagtail admin: for now its audit-log actions (`log_actions`)."""

from wagtail import hooks

from . import log_actions


@hooks.register("register_log_actions")
def register_helpdesk_log_actions(actions):
    log_actions.register(actions)
