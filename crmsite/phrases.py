"""The phrases of the workspace's own screens: users and groups
(see `directory.phrases`)."""

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from directory.phrases import Phrases, register_phrases


def register_workspace_phrases(user_model):
    register_phrases(
        user_model,
        Phrases(
            add=_("Add a user"),
            new=_("New user"),
            created=_("User “%(object)s” created."),
            updated=_("User “%(object)s” updated."),
            deleted=_("User “%(object)s” deleted."),
            not_created=_("The user could not be created: correct the fields shown."),
            not_saved=_("The user could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this user?"),
            none_yet=_("There are no users yet."),
            no_match=_("No user matches your search."),
            referenced=ngettext_lazy(
                "This user is referenced %(count)s time.",
                "This user is referenced %(count)s times.",
                "count",
            ),
        ),
    )
    register_phrases(
        Group,
        Phrases(
            add=_("Add a group"),
            new=_("New group"),
            created=_("Group “%(object)s” created."),
            updated=_("Group “%(object)s” updated."),
            deleted=_("Group “%(object)s” deleted."),
            not_created=_("The group could not be created: correct the fields shown."),
            not_saved=_("The group could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this group?"),
            none_yet=_("There are no groups yet."),
            no_match=_("No group matches your search."),
            referenced=ngettext_lazy(
                "This group is referenced %(count)s time.",
                "This group is referenced %(count)s times.",
                "count",
            ),
        ),
    )
