"""A small client of the Kashoo sandbox for tests: a user token, API calls, the control API.

kashoo = KashooClient(sandbox.url)              # a token from POST /api/authTokens (form fields)
kashoo.get("/users/me/businesses")              # GET {url}/api/users/me/businesses, asserting 200
kashoo.all("records/invoices", limit=50)        # every page until the empty one
"""

import requests

EMAIL, PASSWORD = "owner@sandbox.example", "sandbox-password"


class KashooClient:
    def __init__(self, url, *, prefix="/api", header=None, business=None, timeout=10):
        self.url, self.prefix, self.timeout = url, prefix, timeout
        self.header = header or "TOKEN uuid:" + self.login().text
        self.business = business or self.get("/users/me/businesses")[0]["id"]

    def login(self, email=EMAIL, password=PASSWORD, **kwargs):
        return requests.post(
            f"{self.url}{self.prefix}/authTokens",
            data={"email": email, "password": password},
            timeout=self.timeout,
            **kwargs,
        )

    def raw(self, method, path, header=None, **kwargs):
        headers = {"Authorization": header or self.header, "Accept": "application/json", **kwargs.pop("headers", {})}
        url = f"{self.url}{self.prefix}{path}"
        kwargs.setdefault("timeout", self.timeout)
        return requests.request(method, url, headers=headers, **kwargs)

    def get(self, path, **params):
        response = self.raw("GET", path, params=params)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def post(self, path, body):
        response = self.raw("POST", path, json=body)
        assert response.status_code in (200, 201), (response.status_code, response.text)
        return response.json()

    def biz(self, path):
        return f"/businesses/{self.business}/{path}"

    def all(self, path, limit=100, **params):
        """Every record of a collection: pages of ``limit`` until an empty array; also the pages' sizes."""
        found, sizes, offset = [], [], 0
        while True:
            page = self.get(self.biz(path), limit=limit, offset=offset, **params)
            sizes.append(len(page))
            if not page:
                return found, sizes
            found += page
            offset += len(page)

    def control(self, action, **body):
        response = requests.post(f"{self.url}/_sandbox/{action}", json=body, timeout=self.timeout)
        assert response.status_code == 200, response.text
        return response.json()

    def control_get(self, action):
        response = requests.get(f"{self.url}/_sandbox/{action}", timeout=self.timeout)
        assert response.status_code == 200, response.text
        return response.json()
