"""Postal labels: French address lines (NF Z10-011), sheet layouts, PDF and mail-merge CSV."""
