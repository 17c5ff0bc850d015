from tests.factories.accounts import DEFAULT_PASSWORD, AdminFactory, UserFactory

__all__ = ["DEFAULT_PASSWORD", "AdminFactory", "UserFactory"]
