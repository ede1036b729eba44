"""The views of outreach: the workspace pages and the public endpoints (public.py)."""
