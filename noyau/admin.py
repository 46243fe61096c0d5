"""Morceaux d'administration communs à toutes les applications."""


class LectureSeuleMixin:
    """Une page d'administration qui se consulte et ne se modifie jamais (journaux, documents figés)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
