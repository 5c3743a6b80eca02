"""For each URL with parameters: build a record in 江北区 (500105) and return the URL's kwargs.

The `staff` fixture's 渝中区 users must not see any of these.
"""

OUT_OF_SCOPE_BUILDERS: dict = {}
