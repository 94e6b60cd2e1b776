"""Tools people run by hand on the project (not needed by the build)."""
