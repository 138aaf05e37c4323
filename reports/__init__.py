"""The yearly report as files: DOCX (a Vietnamese administrative report), XLSX and CSV.

Writers only: what a report says is read once by `content.report_data` and written here, so the
files, the `/reports` page and the API agree. Depends on content/ alone.
"""
