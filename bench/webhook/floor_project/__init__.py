"""The bare floor of SPEC §7: a Django project of its own, with no apps and no middleware.

Its one view checks the signature and inserts the raw body as text into a one-table
database with a unique delivery id. Served by the same gunicorn settings as the product
(`gunicorn.conf.py`), it is what our webhook's throughput is compared against.
"""
