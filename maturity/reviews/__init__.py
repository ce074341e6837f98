from flask import Blueprint

bp = Blueprint("reviews", __name__)

from maturity.assessments import panels  # noqa: E402
from maturity.reviews import access, routes  # noqa: E402

# Named reviewers of an open review may read the reviewed assessment and what belongs to it.
access.register()
# The assessment page shows the assessment's reviews (templates/reviews/_assessment_reviews.html).
panels.register("peer_reviews", routes.peer_review_panel)
