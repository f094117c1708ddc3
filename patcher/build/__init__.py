"""Running things: the one process runner, the native x.py build and install, the x.py check gate."""
