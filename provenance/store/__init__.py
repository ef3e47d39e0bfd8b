"""The claims database: schema, connection, writes, reads, bulk loads and versions."""
