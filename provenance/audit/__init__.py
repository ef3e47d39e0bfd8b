"""The audit: findings of a claims database (query), their report formats, parallel workers."""
