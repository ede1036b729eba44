"""SMS: segments, numbers, quiet hours and the provider backends."""
