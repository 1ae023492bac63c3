"""A doctor's rights over their data: download everything held about them, delete
their account. Above doctors and pairings, it asks each table's owner to do its part."""
