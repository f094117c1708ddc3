"""Releases: the installed compiler as a tarball a team installs instead of building."""
