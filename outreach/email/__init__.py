"""E-mail: templates with merge fields, sanitised HTML, unsubscribe tokens and headers."""
