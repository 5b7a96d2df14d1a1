"""Development tools: a throwaway PostgreSQL and the one-command local server."""
