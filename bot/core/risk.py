"""A scan's overall risk levels (here, apart from the scanner: replies and the number check use
them without importing the scanner, whose patterns take a tenth of a second to compile)."""

HIGH, MEDIUM, LOW = "high", "medium", "low"
