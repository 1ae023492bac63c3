"""Pages and API of district access, and of missions turned remote."""
