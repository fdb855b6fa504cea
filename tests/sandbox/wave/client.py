"""A small client of the Wave sandbox for tests: GraphQL calls, the control API, common records.

wave = WaveClient(sandbox.url)            # a Full Access Token, the first business
wave.data("{ user { id } }")             # data, asserting no errors[]
wave.mutate("customerCreate", "CustomerCreateInput", "customer { id }", businessId=..., name="Jane")
"""

import requests

INVOICE = """invoice { id status invoiceNumber subtotal { value } taxTotal { value } total { value } amountDue { value }
    items { id quantity unitPrice total { value } taxes { salesTax { abbreviation } amount { value } } } }"""


class WaveClient:
    def __init__(self, url, token=None, business=None, timeout=10):
        self.url, self.timeout = url, timeout
        self.token = token if token is not None else self.control("full_access_token")["token"]
        self.business = business or self.control("business")["business"]

    def post(self, path, **kwargs):
        return requests.post(self.url + path, timeout=self.timeout, **kwargs)

    def control(self, action, **body):
        response = self.post(f"/_sandbox/{action}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def control_get(self, action):
        response = requests.get(f"{self.url}/_sandbox/{action}", timeout=self.timeout)
        assert response.status_code == 200, response.text
        return response.json()

    def raw(self, query, token=None, **variables):
        token = token or self.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.post("/graphql/public", json={"query": query, "variables": variables}, headers=headers)

    def gql(self, query, **variables):
        response = self.raw(query, **variables)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query, **variables):
        answer = self.gql(query, **variables)
        assert "errors" not in answer, answer
        return answer["data"]

    def mutate(self, mutation, input_type, selection, /, **input_value):
        outcome = f"didSucceed inputErrors {{ path message code }} {selection}"
        query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {outcome} }} }}"
        return self.data(query, input=input_value)[mutation]

    # ------------------------------------------------------------------ common records
    def accounts(self, subtype):
        query = """query($b: ID!, $s: [AccountSubtypeValue!]) {
            business(id: $b) { accounts(subtypes: $s) { edges { node { id } } } } }"""
        edges = self.data(query, b=self.business, s=[subtype])["business"]["accounts"]["edges"]
        return [e["node"]["id"] for e in edges]

    def customer(self, name="Jane Co", **fields):
        out = self.mutate(
            "customerCreate",
            "CustomerCreateInput",
            "customer { id name modifiedAt }",
            businessId=self.business,
            name=name,
            **fields,
        )
        assert out["didSucceed"], out
        return out["customer"]

    def product(self, name="Consulting", price="100", taxes=()):
        out = self.mutate(
            "productCreate",
            "ProductCreateInput",
            "product { id isSold }",
            businessId=self.business,
            name=name,
            unitPrice=price,
            incomeAccountId=self.accounts("INCOME")[0],
            defaultSalesTaxIds=list(taxes),
        )
        assert out["didSucceed"], out
        return out["product"]["id"]

    def invoice(self, customer, items, **fields):
        out = self.mutate(
            "invoiceCreate",
            "InvoiceCreateInput",
            INVOICE,
            businessId=self.business,
            customerId=customer,
            items=items,
            **fields,
        )
        assert out["didSucceed"], out
        return out["invoice"]
