"""The one place a request's writes are committed.

Operations change objects and flush; a view that answers a write (POST, PUT, PATCH, DELETE)
with success or a redirect (status below 400) has its transaction committed here, after the
view, as Indico commits after its handlers. A form shown again with its errors answers 400, a
refusal or a crash is answered by an error handler, and in each case nothing is committed:
what the request wrote is rolled back when it ends. GET requests commit nothing here.

A few paths still commit in the middle on purpose: a phone's vote (committed at once, in
autocommit on PostgreSQL, before the room is told); bookkeeping done while a request of any
method is read (a rotated remember cookie, an API token's last use); and adding, editing or
removing evidence, whose stored file is removed again when the database refuses the row.
"""

from flask import Flask, Response, request

from maturity.extensions import db

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def register(app: Flask) -> None:
    @app.after_request
    def commit_successful_writes(response: Response) -> Response:
        if request.method in WRITES and response.status_code < 400 and db.session().in_transaction():
            db.session.commit()
        return response
