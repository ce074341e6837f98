"""The shift between a strand's first vote and its revote, in words a room understands, and the
revote's publication hiding what the first vote hid."""

from maturity.core.anonymity import SUPPRESSED_EARLIER, publish_revotes, publish_round
from maturity.core.revotes import Shift
from maturity.core.scoring import summarise_votes


def test_a_moved_median_is_said_with_numbers_or_with_agreement_words():
    before = summarise_votes([2, 2, 2, 3, 1, 2])
    after = summarise_votes([2, 3, 3, 2, 3, 2])
    shift = Shift(before, after)
    assert shift.moved is True
    assert shift.words() == "Discussion moved the room from Developing (consensus 0.81) to Developing–Maturing (0.74)."
    assert shift.words(numbers=False) == (
        "Discussion moved the room from Developing (strong agreement) to Developing–Maturing (mixed views)."
    )
    assert round(shift.consensus_change, 2) == -0.07


def test_a_room_that_stayed_put_is_told_how_its_agreement_changed():
    shift = Shift(summarise_votes([1, 2, 3, 2, 4]), summarise_votes([2, 2, 2, 2, 3]))
    assert shift.moved is False
    assert shift.words() == "After discussion the room still says Developing: consensus 0.45 before, 0.83 after."
    assert shift.words(numbers=False) == "After discussion the room still says Developing: split before, strong agreement after."


def test_a_withheld_vote_cannot_be_compared():
    shift = Shift(None, summarise_votes([2, 2, 3]))
    assert shift.comparable is False and shift.moved is None and shift.consensus_change is None
    assert "cannot be compared" in shift.words() and "cannot be compared" in shift.words(numbers=False)


def test_only_dont_know_is_said_as_no_stage():
    shift = Shift(summarise_votes([None, None, None]), summarise_votes([2, 2, 3]))
    assert "no stage" in shift.words() and shift.moved is True


def test_a_revote_hides_at_least_what_the_first_vote_hid():
    first = [("police", 3)] * 4 + [("health", 2)] * 3 + [(None, 3), (None, 1), ("schools", 1)]
    again = [("police", s) for s in (1, 2, 3, 4)] + [("health", s) for s in (1, 2, None)] + [
        (None, 3), (None, 4), ("schools", None)
    ]
    published_first, published_again = publish_revotes([first, again])
    assert published_first == publish_round(first)  # the first vote as the room saw it
    assert not published_first.shown("health")
    assert publish_round(again).shown("health")  # on its own the revote would show health
    assert not published_again.shown("health")
    assert published_again.group("health").reason == SUPPRESSED_EARLIER
    assert published_again.shown("police")
    # The room's own figures are the revote's own: hiding groups changes no room figure.
    assert published_again.room == publish_round(again).room


def test_a_group_that_was_not_in_the_first_vote_is_not_hidden_for_it():
    first = [("police", 2)] * 3 + [("health", 3)] * 3
    again = [("police", 2)] * 3 + [("health", 3)] * 3 + [("schools", 2)] * 3
    _, published_again = publish_revotes([first, again])
    assert published_again.shown("schools") and published_again.hidden == 0
