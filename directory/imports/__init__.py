"""Spreadsheet import of the directory (issue 16).

`reading` reads the uploaded file (CSV as French Excel saves it, XLSX, ODS)
safely; `columns` maps its headers to the directory's fields; `cleaning`
checks and repairs each cell; `plan` matches each row and says what the
import would do (the preview); `writing` writes it in bulk; `jobs` runs it
all or nothing, in Celery. The views call `directory.actions`
(`start_import`, `map_import`, `preview_import`, `run_import`).
"""
