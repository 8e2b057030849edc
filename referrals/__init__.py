"""Referral intake, eligibility, the selection score and the decision trail."""
