"""Review: the annotation log, evidence statuses, the review queue, agreement, transfer."""
