"""Workshop pages: the workshop, its tests, certificates and their public check."""
