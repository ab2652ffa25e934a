"""Report templates and styles, kept as files and read by advisor.report."""
