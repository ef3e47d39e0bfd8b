"""The CLI's commands, grouped by concern; each module exports ``COMMANDS``."""
