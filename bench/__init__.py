"""``make bench`` (issue #8): the app at clinic-chain scale, measured the production way.

``python -m bench`` (SCALE=full by default, SCALE=small for a one-minute smoke run):

1. A separate benchmark database (its name must contain "bench") on the embedded server or ``DATABASE_URL``'s
   server: dropped, created and migrated (bench/database.py).
2. Bulk data with PostgreSQL COPY (bench/generate.py, bench/bulk.py): patients with their consent, screening,
   measurements and medications; courses; sessions with about 8 sets of vitals each, rate changes and medications
   given; side effects; questionnaires; a few patients with 300+ sessions; today's sessions in every state.
3. The app served as in production, gunicorn with DEBUG off (bench/server.py), in benchmark mode: each response
   says how many SQL statements it ran (bench/middleware.py) and a floor page answers (bench/urls.py); neither
   exists outside benchmark mode.
4. Each main page timed over HTTP with a signed-in session (bench/measure.py), plus the floor, the Django admin's
   patient search and the patient page's throughput with 8 concurrent clients.
5. Two sizes (10,000 and 100,000 patients; SCALE=small: 200 and 2,000): step 2 makes the smaller one, copies it
   to its own database (``CREATE DATABASE ... TEMPLATE``), then adds the larger one's rows; step 4 times both at
   once, each on its own gunicorn, in interleaved rounds, so that a change in the machine's load cannot pass for
   growth. The machine's load average while timing is recorded.
6. The Markdown table and the JSON under ``var/bench/`` (bench/report.py); a full run also updates the table in
   docs/performance.md.
"""
