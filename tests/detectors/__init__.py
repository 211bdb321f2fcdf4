"""Tests of the detectors and the rules they report."""
