"""The web shell: layout, sign-in and the home page."""
