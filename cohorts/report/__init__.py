"""The management report: a person's plan by pathway, interventions, contacts, enforcement."""
