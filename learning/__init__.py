"""Learner-facing domain apps: accounts, enrollment, progress, assessment and more."""
