"""Reads of the infusions app, one module per area: ``chart`` (the session chart), ``board`` (today's board, who sees
doses), ``history`` (the patient's history page and referral summary), ``cohort`` (the cohort outcomes report),
``records`` (the electronic copy of a patient's record) and ``courses`` (a patient's courses). Each returns model
instances loaded for the page, or typed read models (frozen dataclasses) where a model instance per row would cost the
page its time."""
