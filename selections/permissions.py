"""Who may do what with a saved search or a basket.

Staff need the model permission (the "Équipe" and "Administrateurs" groups
have it), and then: an object is *seen* by its owner and by those it is
shared with; it is *changed, shared or deleted* by its owner only.
Administrators get no look at other people's private selections either.
Every view and the API ask this policy, so that a search or a basket that
is neither yours nor shared with you is reached by no listing, URL, export
or id.
"""

from wagtail.permission_policies import ModelPermissionPolicy


class SharedObjectPolicy(ModelPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "view":
            return instance.is_visible_to(user)
        return instance.can_edit(user)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model.objects.none()
        if action == "view":
            return self.model.objects.visible_to(user)
        return self.model.objects.owned_by(user)

    def instances_user_has_any_permission_for(self, user, actions):
        # What one may change or delete, one may also see: "view" is the widest.
        widest = "view" if "view" in actions and self.user_has_permission(user, "view") else None
        for action in [widest, *actions]:
            if action and self.user_has_permission(user, action):
                return self.instances_user_has_permission_for(user, action)
        return self.model.objects.none()
