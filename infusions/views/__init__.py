"""Infusion pages, one module per area: ``sessions`` (today's board, the chart), ``courses``, ``outcomes`` (history,
summary, cohort report) and ``records`` (the printed record and the electronic copies)."""
