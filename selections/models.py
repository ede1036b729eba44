"""Models of selections arrive with their issue; the app is installed from the start."""
