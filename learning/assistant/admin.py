from django.contrib import admin

from learning.assistant.models import LedgerEntry, TutorPlan


@admin.register(TutorPlan)
class TutorPlanAdmin(admin.ModelAdmin):
    """Administrators set a learner's tutor plan (until subscriptions exist)."""

    list_display = ["user", "plan", "updated_at"]
    list_filter = ["plan"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "course", "agent", "model", "tokens_in", "tokens_out"]
    list_filter = ["agent", "ok", "provider"]
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
