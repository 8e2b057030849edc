"""Transition plans: scaling IOM support back as a licence ends."""
