"""User-facing errors: one clear sentence, never a traceback."""


class ProvenanceError(Exception):
    """Bad input or a bad request; the message is shown to the user as is."""
