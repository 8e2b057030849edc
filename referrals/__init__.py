"""Referral intake, eligibility, the selection score and the decision trail; built from issue 4 on."""
