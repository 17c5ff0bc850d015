"""The HTTP surface: DRF views, serializers, permissions and URLs. No business rules here."""
