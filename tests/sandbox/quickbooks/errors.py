"""QuickBooks' faults as the sandbox raises them: ``Fault`` (HTTP status, fault type and
error list; ``body`` is QuickBooks' ``{"Fault": {"Error": [...], "type"}, "time"}``) and the
faults many rules share, worded as QuickBooks words them: 610 Object Not Found
(``not_found``), 2020 required parameter missing (``required``) and 6000, the business
validation catch-all (``business``).
"""


class Fault(Exception):
    """A QuickBooks fault: HTTP status, fault type and error list."""

    def __init__(self, code, message, detail="", *, status=400, fault_type="ValidationFault", element=""):
        super().__init__(f"{code} {message}")
        self.code = str(code)
        self.message = message
        self.detail = detail or message
        self.status = status
        self.fault_type = fault_type
        self.element = element

    def body(self, now):
        return {
            "Fault": {
                "Error": [
                    {
                        "Message": self.message,
                        "Detail": f"{self.message} : {self.detail}",
                        "code": self.code,
                        "element": self.element,
                    }
                ],
                "type": self.fault_type,
            },
            "time": now,
        }


def not_found():
    """610, word for word as QuickBooks answers it: it never says which reference it is."""
    return Fault(
        610,
        "Object Not Found",
        "Something you're trying to use has been made inactive. Check the fields with accounts, customers, "
        "items, vendors or employees.",
    )


def required(element, detail=None):
    """2020: a required field is missing (or holds what QuickBooks does not take)."""
    return Fault(
        2020,
        "Required param missing, need to supply the required value for the API",
        detail or f"Required parameter {element} is missing in the request",
        element=element,
    )


def business(detail):
    """6000: QuickBooks' catch-all business rule fault."""
    return Fault(6000, "A business validation error has occurred while processing your request", detail)


def unsupported(detail, element=""):
    """2010: a property or value QuickBooks does not take there."""
    return Fault(2010, "Request has invalid or unsupported property", detail, element=element)
