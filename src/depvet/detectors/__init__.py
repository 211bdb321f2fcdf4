"""Detectors: rules that look at one file and report findings."""
