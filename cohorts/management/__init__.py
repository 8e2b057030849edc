"""The cohort and its management: the cohort list and who may manage a person on it (RAG,
assignments). Its commands/ folder is Django's management commands (audit_verify ...)."""
