"""What an author runs beside a build: finding the guide, the live preview, machine-readable problems, progress."""
