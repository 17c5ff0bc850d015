"""Wagtail pages: the site home page and (next) the course page tree."""
