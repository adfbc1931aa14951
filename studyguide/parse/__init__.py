"""Parsing: reading the content folder safely and turning each section file into the model."""
