from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's front page: what Unpuzzle is and where to go next."""

    headline = models.CharField(
        max_length=120,
        default="Learn anything, one piece at a time",
        help_text="The large heading at the top of the home page.",
    )
    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="A short paragraph under the headline.",
    )

    content_panels = [*Page.content_panels, FieldPanel("headline"), FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"
