"""Read-only queries behind the dashboards, the stream, the API and `hubbub status`.

Nothing here writes; every function takes an open ``Connection`` so a page can
run all of its reads on one connection.
"""
