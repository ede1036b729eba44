"""Outreach in the Wagtail admin. (Log actions first: the screens' hooks go below.)"""

from wagtail import hooks

from . import log_actions


@hooks.register("register_log_actions")
def register_outreach_log_actions(actions):
    log_actions.register(actions)
