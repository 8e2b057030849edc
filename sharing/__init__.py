"""Who's who and who may see what: agencies, users, roles, sharing agreements and the access log."""
