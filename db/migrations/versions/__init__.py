"""One module per schema revision. They import nothing of game/: what a step needs is frozen in it."""
