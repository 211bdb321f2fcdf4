"""Artifacts: wheels, sdists, eggs, zips, source trees and installed distributions, read safely."""
