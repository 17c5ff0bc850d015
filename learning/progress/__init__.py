"""Honest progress: watched intervals, completion and resume."""
