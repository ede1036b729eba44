"""Postal labels: French address lines (NF Z10-011), sheet layouts, the PDF and the mail-merge CSV."""
