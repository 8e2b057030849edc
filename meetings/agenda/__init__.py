"""Agendas built from the data, and what each attendee's agency may read of them."""
