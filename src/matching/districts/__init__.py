"""Access and security by district: the status coordinators set (open, restricted,
closed), with its dated history."""
