"""What stays on disk between builds: the data-only cache, atomic writes, the versions outputs depend on."""
