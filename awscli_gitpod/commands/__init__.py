"""One module per subcommand; each takes plain parameters and returns an exit code."""
