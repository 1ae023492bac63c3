"""Doctor pages, API, licence verification and taxonomy search."""
