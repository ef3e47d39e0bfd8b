"""The CLI's commands, grouped by concern; ``provenance.cli.COMMANDS`` names them."""
