"""Sample page text shared by the tests of the cleaning modules."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "clean"

PARAGRAPHS = [
    "The river authority said on Monday that water levels had fallen for the third week in a row, "
    "and that it would ask farmers along the lower valley to cut the water they draw for their fields.",
    "Officials at the authority told a meeting in the town hall that the reservoirs were now at less "
    "than half of their usual level for the time of year, after a dry winter and an early spring.",
    "Several of the farmers who came to the meeting said they had already planted crops that need "
    "steady watering, and that the cuts would cost them much of the harvest if they went ahead.",
]

OTHER_PROSE = [
    "Readers who left their names at the front desk were told that the library would reopen its upper floor "
    "next month, once the builders had finished the new stairs and the lift that was promised last year.",
    "The librarian said the reading room had been busier than ever during the works, and she thanked the "
    "volunteers who had carried the boxes of old newspapers down to the basement by hand.",
    "A second meeting about the opening hours will be held in the spring, when the council has agreed its "
    "budget for the year and the staff know how many evenings they can keep the doors open.",
]

MORE = [
    "The authority will meet the farmers again next month, when it expects to know how much rain the spring "
    "has brought and whether the cuts can be eased before the summer comes.",
    "Until then, the farmers said, they would water at night and share the pumps along the lower valley, as "
    "their parents had done in the dry years when the river last ran this low.",
    "The council has offered to pay for new meters on every farm, so that the authority can see how much each "
    "one draws, and it has asked the government for help with the cost of the work.",
]


def page(*lines: str) -> str:
    """A page dump of these lines."""
    return "\n".join(lines)
