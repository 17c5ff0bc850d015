import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from learning.accounts import roles as roles_module

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified student by default. ``UserFactory(roles=["instructor"])`` for other roles
    ("admin" makes a superuser); ``email_verified_at=None`` for an unverified one."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)
    email_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        wanted = (
            extracted
            if extracted is not None
            else ([] if self.is_superuser else [roles_module.STUDENT])
        )
        for role in wanted:
            if role == roles_module.ADMIN:
                self.is_superuser = self.is_staff = True
                self.save(update_fields=["is_superuser", "is_staff"])
            else:
                self.groups.add(Group.objects.get(name=roles_module.ROLE_GROUPS[role]))


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True
